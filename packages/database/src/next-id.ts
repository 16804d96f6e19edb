/**
 * The next human-readable id of a table (TASK-007), on either dialect, inside writeTransaction. The
 * number is max(seq) + 1, as packages/tools/src/common/records.ts computes it for SQLite today. Two
 * PostgreSQL transactions computing it at once would both see the same max and give the same id
 * (43 distinct of 50 in a test), so the computation runs under a per-table exclusive() lock: the
 * second waits for the first to commit, then reads its row.
 */
import { sql, type Transaction } from 'kysely';
import { exclusive } from './write-transaction.js';

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `table` must have an integer `seq` column that grows with each row (INTEGER PRIMARY KEY; BIGINT identity). */
export async function nextId<DB>(trx: Transaction<DB>, table: string, prefix: string, width: number): Promise<string> {
  if (!TABLE_NAME.test(table)) throw new TypeError(`nextId: "${table}" is not a table name`);
  await exclusive(trx, `nextId:${table}`);
  const { rows } = await sql<{ n: number }>`SELECT coalesce(max(seq), 0) + 1 AS n FROM ${sql.table(table)}`.execute(trx);
  const n = Number(rows[0]?.n);
  return `${prefix}-${String(n).padStart(width, '0')}`;
}
