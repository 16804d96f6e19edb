// The SQLite stores' writes: last-use stamps are best effort (never throw, logged once per burst),
// everything else waits for another process's lock and is refused as DatabaseBusyError when it
// cannot have it, with nothing written.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createApiKey,
  createClient,
  DatabaseBusyError,
  openDatabase,
  openSqliteApiKeyStore,
  openSqliteClientStore,
  openSqliteRevocationList,
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

describe('SQLite stores', () => {
  it('touch never throws when the database refuses writes, and one warning covers the burst', () => {
    const keys = openSqliteApiKeyStore(db, { log });
    const clients = openSqliteClientStore(db, { log });
    const { record: key } = createApiKey(keys, { name: 'k' });
    createClient(clients, { clientId: 'c', scopes: ['mcp'] });
    db.pragma('query_only = 1');
    for (let i = 0; i < 10; i++) {
      expect(() => keys.touch(key.id, new Date())).not.toThrow();
      expect(() => clients.touch('c', new Date())).not.toThrow();
    }
    expect(warnings.map((w) => w.what)).toEqual(['api key last_used_at', 'oauth client last_used_at']);
  });

  it('other writes are refused as DatabaseBusyError while another process holds the lock, then work', () => {
    const keys = openSqliteApiKeyStore(db);
    const clients = openSqliteClientStore(db);
    const revocations = openSqliteRevocationList(db, { log });
    other.exec('BEGIN IMMEDIATE');
    expect(() => createApiKey(keys, { name: 'blocked' })).toThrow(DatabaseBusyError);
    expect(() => createClient(clients, { clientId: 'blocked', scopes: [] })).toThrow(DatabaseBusyError);
    expect(() => revocations.revoke('jti-1', Math.floor(Date.now() / 1000) + 60)).toThrow(DatabaseBusyError);
    expect(() => revocations.prune()).not.toThrow();
    other.exec('ROLLBACK');
    expect(keys.count()).toBe(0);
    expect(clients.count()).toBe(0);
    createApiKey(keys, { name: 'after' });
    expect(keys.count()).toBe(1);
  });
});
