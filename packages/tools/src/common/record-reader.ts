/**
 * Reads rows for the data tools' answers. libsql compiles a new native statement on every
 * `prepare()` and builds each row as an object with every column, which clean() then copied again:
 * together most of a list call's own CPU. Here each distinct SQL text is prepared once per database
 * (the texts vary only with which filters are set, so there are few), rows are read as arrays, and
 * each answer object is built once, without NULLs and internal columns, as clean() does.
 */
import type { SqliteDatabase } from '@mcp-auth/sqlite';

type Row = Record<string, unknown>;
type Param = string | number | null;

interface RawStatement {
  all(...params: Param[]): unknown[][];
}
interface Prepared {
  statement: RawStatement;
  columns: readonly string[];
  /** Columns an answer never shows: the ordering key, libsql's metadata. */
  skip: readonly boolean[];
}

/** Distinct SQL texts kept per database; past it the cache starts over (a bug would show as slowness, not growth). */
const MAX_STATEMENTS = 256;
const HIDDEN = new Set(['seq', '_metadata']);
const statementsOf = new WeakMap<SqliteDatabase, Map<string, Prepared>>();

function prepared(db: SqliteDatabase, sql: string): Prepared {
  let statements = statementsOf.get(db);
  if (!statements) {
    statements = new Map();
    statementsOf.set(db, statements);
  }
  let entry = statements.get(sql);
  if (!entry) {
    const statement = db.prepare(sql);
    const columns = (statement.columns() as Array<{ name: string }>).map((c) => c.name);
    entry = { statement: statement.raw(true) as unknown as RawStatement, columns, skip: columns.map((c) => HIDDEN.has(c)) };
    if (statements.size >= MAX_STATEMENTS) statements.clear();
    statements.set(sql, entry);
  }
  return entry;
}

function toRecord(entry: Prepared, values: readonly unknown[]): Row {
  const out: Row = {};
  const { columns, skip } = entry;
  for (let i = 0; i < columns.length; i++) {
    const value = values[i];
    if (value === null || skip[i]) continue;
    out[columns[i] as string] = value;
  }
  return out;
}

/** Every row `sql` selects, as plain JSON records (no NULLs, no `seq`). */
export function readRecords(db: SqliteDatabase, sql: string, params: readonly Param[] = []): Row[] {
  const entry = prepared(db, sql);
  return entry.statement.all(...params).map((values) => toRecord(entry, values));
}
