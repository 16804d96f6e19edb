/**
 * Queries written once as SQL text for both dialects, for code whose queries are text rather than
 * built (the HR, project and CRM tools): `?` placeholders, which PostgreSQL receives as $1, $2, ...
 * The text must mean the same on both (the tools' comments say where that took care: case-insensitive
 * e-mail, integer averages); what each dialect's types read back as is @mcp-auth/database's (int8 as
 * a number, as SQLite's integers).
 *
 * A read outside a transaction on the embedded file skips Kysely. libsql compiles a new native
 * statement on every prepare() and builds each row as an object with every column plus metadata:
 * together most of a list call's own CPU. Here each distinct text is prepared once per connection
 * (the tools' texts vary only with which filters are set, so there are few), and rows are read as
 * arrays and built once. While one of this process's transactions is open on the connection (its body
 * awaiting), reads go through Kysely instead and so wait for it: they never see its uncommitted rows.
 */
import type { SqliteDatabase } from '@mcp-auth/sqlite';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { type Database, type Dialect, internalsOf } from './store.js';
import { dialectOf } from './write-transaction.js';

export type SqlParam = string | number | null;
export type SqlRow = Record<string, unknown>;

export interface PlainSql {
  /** Every row `sql` selects. */
  all<T = SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** The first row `sql` selects, if any. */
  get<T = SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  /** Runs a write; resolves to how many rows it inserted, changed or deleted. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
}

/** `?` placeholders as PostgreSQL's $1, $2, ...; a `?` inside a quoted literal or name is left alone. */
export function numberedPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') out += `$${++n}`;
    else out += ch;
  }
  return out;
}

/** Distinct texts kept per connection; past it the cache starts over (a bug would show as slowness, not growth). */
const MAX_STATEMENTS = 256;

interface RawStatement {
  all(...params: SqlParam[]): unknown[][];
}
interface Prepared {
  statement: RawStatement;
  columns: readonly string[];
}
const statementsOf = new WeakMap<SqliteDatabase, Map<string, Prepared>>();

/** The kept statement for `sql`, or undefined when it writes (it then goes through Kysely). */
function prepared(connection: SqliteDatabase, sql: string): Prepared | undefined {
  let statements = statementsOf.get(connection);
  if (!statements) {
    statements = new Map();
    statementsOf.set(connection, statements);
  }
  let entry = statements.get(sql);
  if (!entry) {
    const statement = connection.prepare(sql);
    if (!statement.reader) return undefined;
    const columns = (statement.columns() as Array<{ name: string }>).map((c) => c.name);
    // Only statements that read are kept (each use resets it first); libsql does not reset a writing
    // one whose run() failed (packages/sqlite/src/write-transaction.ts).
    entry = { statement: statement.raw(true) as unknown as RawStatement, columns };
    if (statements.size >= MAX_STATEMENTS) statements.clear();
    statements.set(sql, entry);
  }
  return entry;
}

function readNow(connection: SqliteDatabase, sql: string, params: readonly SqlParam[]): SqlRow[] | undefined {
  const entry = prepared(connection, sql);
  if (!entry) return undefined;
  const { statement, columns } = entry;
  return statement.all(...params).map((values) => {
    const row: SqlRow = {};
    for (let i = 0; i < columns.length; i++) row[columns[i] as string] = values[i];
    return row;
  });
}

/** libsql adds `_metadata` (timings) to every row it builds as an object; no reader wants it. */
function withoutMetadata(rows: readonly SqlRow[]): SqlRow[] {
  for (const row of rows) delete row._metadata;
  return rows as SqlRow[];
}

/**
 * Plain SQL on `on`: a Database (reads, each on its own) or the transaction writeTransaction passes to
 * its body (reads and writes inside it).
 */
export function plainSql<DB>(on: Database<DB> | Transaction<DB>): PlainSql {
  const isTransaction = !('db' in on && 'location' in on);
  const dialect: Dialect = isTransaction ? dialectOf(on, 'plainSql') : (on as Database<DB>).dialect;
  const executor: Kysely<DB> = isTransaction ? (on as Transaction<DB>) : (on as Database<DB>).db;
  const connection = isTransaction || dialect !== 'sqlite' ? undefined : internalsOf(on).connection;
  const text = dialect === 'postgres' ? numberedPlaceholders : (sql: string) => sql;

  const execute = async (sql: string, params: readonly SqlParam[]) =>
    executor.executeQuery<SqlRow>(CompiledQuery.raw(text(sql), [...params]));
  const all = async (sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> => {
    const read = connection && !connection.inTransaction ? readNow(connection, sql, params) : undefined;
    if (read) return read;
    return withoutMetadata((await execute(sql, params)).rows);
  };
  return {
    all: all as PlainSql['all'],
    get: (async (sql: string, params: readonly SqlParam[] = []) => (await all(sql, params))[0]) as PlainSql['get'],
    async run(sql, params = []) {
      return Number((await execute(sql, params)).numAffectedRows ?? 0n);
    },
  };
}
