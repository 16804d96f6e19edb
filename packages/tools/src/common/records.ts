/** Small helpers for tool results and row ids shared by the HR, project and CRM tools. */

import type { SqliteDatabase } from '@mcp-auth/sqlite';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';

/** A tool result with a one-line summary for the model and the data as structured content. */
export function result(summary: string, data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: `${summary}\n${JSON.stringify(data, null, 2)}` }], structuredContent: data };
}

/** The next human-readable id for a table, e.g. TASK-007. Call inside the write's writeTransaction (it holds the lock). */
export function nextId(db: SqliteDatabase, table: string, prefix: string, width: number): string {
  const row = db.prepare(`SELECT coalesce(max(seq), 0) + 1 AS n FROM ${table}`).get() as { n: number };
  return `${prefix}-${String(row.n).padStart(width, '0')}`;
}

/** Drops libsql's `_metadata` and SQL NULLs so rows read as plain JSON. */
export function clean<T extends Record<string, unknown>>(row: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === '_metadata' || key === 'seq' || value === null) continue;
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
