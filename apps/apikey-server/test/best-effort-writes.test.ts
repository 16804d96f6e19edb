// On a full database the `last_used_at` stamp cannot be written; the request it belongs to is served
// anyway (200, not 500), and a burst of such failures is one log line, not one per request.
import { Writable } from 'node:stream';
import { type ApiKeyStore, type ApiKeyTables, createApiKey, openApiKeyStore } from '@mcp-auth/auth';
import { type Database, databaseSettings, openStore } from '@mcp-auth/database';
import { createLogger, type FastifyInstance } from '@mcp-auth/mcp-fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

const sqliteCode = (error: unknown) => (error as { code?: string }).code;

/**
 * Makes the database full for real: no page may be added (PRAGMA max_page_count), and the key
 * table's page is filled to its last bytes, so stamping a key (which makes its row a few bytes
 * longer) needs a page SQLite may not add and fails with SQLITE_FULL.
 */
async function fillDatabase(db: Database<ApiKeyTables>['db']): Promise<void> {
  // On the store's own connection (max_page_count is a setting of the connection that sets it).
  const { rows } = await sql<{ page_count: number }>`PRAGMA page_count`.execute(db);
  await sql.raw(`PRAGMA max_page_count = ${rows[0]?.page_count}`).execute(db);
  let n = 0;
  // Largest filler that still fits first, then smaller ones: what is left at the end is too small
  // for any row (a byte or two).
  for (let size = 4096; size >= 0; ) {
    try {
      await sql`INSERT INTO api_keys (id, name, secret_hash, created_at) VALUES (${`filler-${n++}`}, ${'x'.repeat(size)}, x'00', 0)`.execute(
        db,
      );
    } catch (error) {
      if (sqliteCode(error) !== 'SQLITE_FULL') throw error;
      size--;
    }
  }
}

let database: Database<ApiKeyTables>;
let store: ApiKeyStore;
let app: FastifyInstance;
let base: string;
const keys: string[] = [];
const keyIds: string[] = [];
const lines: string[] = [];

beforeAll(async () => {
  database = openStore<ApiKeyTables>(databaseSettings({}, { service: 'test', sqlitePath: ':memory:' }));
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  store = await openApiKeyStore(database, { log: logger });
  for (let i = 0; i < 5; i++) {
    const { key, record } = await createApiKey(store, { name: `client-${i}` });
    keys.push(key);
    keyIds.push(record.id);
  }
  await fillDatabase(database.db);
  app = await buildApp(loadConfig({ DATA_DIR: '/nonexistent', LOG_LEVEL: 'info' }), { store, logger });
  base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
});
afterAll(async () => {
  await app.close();
  await store.close();
});

const callTool = (key: string) =>
  fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_time', arguments: { timezone: 'UTC' } } }),
  });

describe('a full database', () => {
  it('really is full: stamping a key fails with SQLITE_FULL', async () => {
    let error: unknown;
    try {
      await sql`UPDATE api_keys SET last_used_at = ${Date.now()} WHERE id = ${keyIds[0]}`.execute(database.db);
    } catch (e) {
      error = e;
    }
    expect(sqliteCode(error)).toBe('SQLITE_FULL');
  });

  it('still serves every authenticated request (each key used for the first time), and logs the failure once', async () => {
    for (const key of keys) {
      const res = await callTool(key);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { result: { isError?: boolean } }).result.isError).toBeFalsy();
    }
    const failures = lines.filter((line) => line.includes('best-effort write failed'));
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0] as string)).toMatchObject({ level: 40, what: 'api key last_used_at', code: 'SQLITE_FULL' });
    // Nothing was stamped; the keys are as they were.
    const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM api_keys WHERE last_used_at IS NOT NULL`.execute(database.db);
    expect(rows[0]?.n).toBe(0);
  });
});
