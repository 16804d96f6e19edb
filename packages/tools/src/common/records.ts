/** Small helpers for tool results, reads and writes shared by the HR, project and CRM tools. */

import { type Database, exclusive, type PlainSql, plainSql, type SqlParam, writeTransaction } from '@mcp-auth/database';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Transaction } from 'kysely';
import { z } from 'zod';

/** A tool result with a one-line summary for the model and the data as structured content. */
export function result(summary: string, data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: `${summary}\n${JSON.stringify(data, null, 2)}` }], structuredContent: data };
}

/**
 * A tool's writes on one data set ('hr', 'projects', 'crm'): `write(async (q, trx) => ...)` runs the
 * body in one write transaction that first takes the data set's lock. SQLite's write transaction already
 * holds the file's; on PostgreSQL it is an advisory lock (exclusive()), so that what a write checks
 * before it writes (an overlapping leave, a balance, a review already there) still holds when it
 * writes, whichever replica the other write came through.
 */
export function toolWriter(database: Database<unknown>, data: string) {
  return <T>(body: (q: PlainSql, trx: Transaction<unknown>) => Promise<T>): Promise<T> =>
    writeTransaction(database, async (trx) => {
      await exclusive(trx, `tools:${data}`);
      return body(plainSql(trx), trx);
    });
}

/** Every row `sql` selects, as plain JSON records (no NULLs, no `seq`). */
export async function readRecords(q: PlainSql, sql: string, params: readonly SqlParam[] = []): Promise<Record<string, unknown>[]> {
  return (await q.all(sql, params)).map(clean);
}

/** Drops libsql's `_metadata` and SQL NULLs so rows read as plain JSON. */
export function clean<T extends Record<string, unknown>>(row: T): T {
  const out: Record<string, unknown> = {};
  // for...in rather than Object.entries: no array per column, on every row of every list answer.
  for (const key in row) {
    const value = row[key];
    if (value === null || key === 'seq' || key === '_metadata') continue;
    out[key] = value;
  }
  return out as T;
}

/** Builds `WHERE a = ? AND b = ?` from the filters that are set. */
export function where(filters: Record<string, string | number | undefined>): { sql: string; params: Array<string | number> } {
  const parts: string[] = [];
  const params: Array<string | number> = [];
  for (const [column, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    parts.push(`${column} = ?`);
    params.push(value);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/**
 * Output schemas for the data tools: the envelope is exact (which key, a count), each record is an
 * object with an `id` plus whatever fields the caller may see (they vary with the grants).
 */
const record = () => z.looseObject({ id: z.string() });
export const listOutput = (key: string): z.ZodRawShape => ({ [key]: z.array(record()), count: z.number().int() });
export const recordOutput = (key: string): z.ZodRawShape => ({ [key]: record() });
