// The SQLite stores' writes: last-use stamps are best effort (never throw, logged once per burst),
// everything else waits for another process's lock and is refused as DatabaseBusyError when it
// cannot have it, with nothing written.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseSettings, embeddedConnection, openStore } from '@mcp-auth/database';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiKeyTables,
  type ClientTables,
  createApiKey,
  createClient,
  DatabaseBusyError,
  openApiKeyStore,
  openClientStore,
  openDatabase,
  openRevocationList,
  type RevocationTables,
  type SqliteDatabase,
} from '../src/index.js';

let dir: string;
let db: SqliteDatabase;
let other: SqliteDatabase;
let warnings: Array<Record<string, unknown>>;
const log = { warn: (fields: Record<string, unknown>) => warnings.push(fields), info: () => {} };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auth-store-writes-'));
  db = openDatabase(join(dir, 'a.db'), { busyTimeoutMs: 50 });
  other = openDatabase(join(dir, 'a.db'));
  warnings = [];
});
afterEach(() => {
  db.close();
  other.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The API key store on the same file, through a connection of its own (as apikey-server opens it). */
const keyStore = (options: { log?: typeof log } = {}) =>
  openApiKeyStore(
    openStore<ApiKeyTables>(databaseSettings({}, { service: 'test', sqlitePath: join(dir, 'a.db') }), { busyTimeoutMs: 50 }),
    options,
  );

/** The client store likewise; `database` lets a test reach its connection. */
const clientDatabase = () =>
  openStore<ClientTables>(databaseSettings({}, { service: 'test', sqlitePath: join(dir, 'a.db') }), { busyTimeoutMs: 50 });

describe('SQLite stores', () => {
  it('touch never throws when the database refuses writes, and one warning covers the burst', async () => {
    const keys = await keyStore({ log });
    const clientsDb = clientDatabase();
    const clients = await openClientStore(clientsDb, { log });
    const { record: key } = await createApiKey(keys, { name: 'k' });
    await createClient(clients, { clientId: 'c', scopes: ['mcp'] });
    embeddedConnection(clientsDb).pragma('query_only = 1');
    // Another process holds the write lock: the key stamp is skipped at once, not waited for.
    other.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < 10; i++) {
      expect(() => keys.touch(key.id, new Date())).not.toThrow();
      expect(() => clients.touch('c', new Date())).not.toThrow();
    }
    other.exec('ROLLBACK');
    expect(warnings.map((w) => [w.what, w.code])).toEqual([
      ['api key last_used_at', 'SQLITE_BUSY'],
      ['oauth client last_used_at', 'SQLITE_READONLY'],
    ]);
    expect((await keys.findById(key.id))?.lastUsedAt).toBeNull();
    await keys.close();
    await clientsDb.close();
  });

  it('other writes are refused as DatabaseBusyError while another process holds the lock, then work', async () => {
    const keys = await keyStore();
    const clientsDb = clientDatabase();
    const clients = await openClientStore(clientsDb);
    const revocationsDb = openStore<RevocationTables>(databaseSettings({}, { service: 'test', sqlitePath: join(dir, 'a.db') }), {
      busyTimeoutMs: 50,
    });
    const revocations = await openRevocationList(revocationsDb, { log });
    other.exec('BEGIN IMMEDIATE');
    await expect(createApiKey(keys, { name: 'blocked' })).rejects.toThrow(DatabaseBusyError);
    await expect(createClient(clients, { clientId: 'blocked', scopes: [] })).rejects.toThrow(DatabaseBusyError);
    await expect(revocations.revoke('jti-1', Math.floor(Date.now() / 1000) + 60)).rejects.toThrow(DatabaseBusyError);
    expect(() => revocations.prune()).not.toThrow();
    other.exec('ROLLBACK');
    expect(await keys.count()).toBe(0);
    expect(await clients.count()).toBe(0);
    expect(await revocations.isRevoked({ jti: 'jti-1', clientId: 'c' })).toBe(false);
    await createApiKey(keys, { name: 'after' });
    expect(await keys.count()).toBe(1);
    await revocations.revoke('jti-1', Math.floor(Date.now() / 1000) + 60);
    expect(await revocations.isRevoked({ jti: 'jti-1', clientId: 'c' })).toBe(true);
    await keys.close();
    await clientsDb.close();
    await revocationsDb.close();
  });
});
