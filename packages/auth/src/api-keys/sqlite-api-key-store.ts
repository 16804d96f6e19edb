/**
 * ApiKeyStore on an embedded SQLite file (libsql: better-sqlite3's API with prebuilt binaries).
 * Lookups are by primary key, so verification costs the same with ten keys or a million. Writes go
 * through writeTransaction (wait for the lock, or DatabaseBusyError); `touch` is best effort.
 */
import {
  type BestEffortLog,
  bestEffortWriter,
  migrate,
  openDatabase,
  type SqliteDatabase,
  toDate,
  toMs,
  writeTransaction,
} from '@mcp-auth/sqlite';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';

interface Row {
  id: string;
  name: string;
  secret_hash: Buffer;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  rotated_from: string | null;
}

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE api_keys (
     id           TEXT PRIMARY KEY,
     name         TEXT NOT NULL,
     secret_hash  BLOB NOT NULL,
     created_at   INTEGER NOT NULL,
     expires_at   INTEGER,
     revoked_at   INTEGER,
     last_used_at INTEGER,
     rotated_from TEXT
   ) STRICT`,
];

function toRecord(row: Row): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    secretHash: Buffer.from(row.secret_hash),
    createdAt: new Date(row.created_at),
    expiresAt: toDate(row.expires_at),
    revokedAt: toDate(row.revoked_at),
    lastUsedAt: toDate(row.last_used_at),
    rotatedFrom: row.rotated_from,
  };
}

export interface SqliteStoreOptions {
  /** Where a failed best-effort write (`touch`) is reported, once per burst (the server's logger). */
  log?: BestEffortLog;
}

/** Opens (creating and migrating if needed) the key database at `path`, or in memory for ':memory:'. */
export function openSqliteApiKeyStore(pathOrDb: string | SqliteDatabase, options: SqliteStoreOptions = {}): ApiKeyStore {
  const db = typeof pathOrDb === 'string' ? openDatabase(pathOrDb) : pathOrDb;
  migrate(db, 'api_keys', MIGRATIONS);
  const bestEffort = bestEffortWriter(db, { what: 'api key last_used_at', log: options.log });

  const insert = db.prepare(
    `INSERT INTO api_keys (id, name, secret_hash, created_at, expires_at, revoked_at, last_used_at, rotated_from)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const findById = db.prepare('SELECT * FROM api_keys WHERE id = ?');
  const list = db.prepare('SELECT * FROM api_keys ORDER BY created_at, id');
  const count = db.prepare('SELECT count(*) AS n FROM api_keys');
  const revoke = db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?');
  const setExpiry = db.prepare('UPDATE api_keys SET expires_at = ? WHERE id = ?');
  const touch = db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  // SQLite's data_version changes when another connection commits to the file (not for our own writes).
  const dataVersion = db.prepare('PRAGMA data_version');

  let localWrites = 0;
  return {
    get localWrites() {
      return localWrites;
    },
    insert(r) {
      localWrites++;
      writeTransaction(db, () =>
        insert.run(
          r.id,
          r.name,
          r.secretHash,
          r.createdAt.getTime(),
          toMs(r.expiresAt),
          toMs(r.revokedAt),
          toMs(r.lastUsedAt),
          r.rotatedFrom,
        ),
      );
    },
    findById(id) {
      const row = findById.get(id) as Row | undefined;
      return row ? toRecord(row) : undefined;
    },
    list: () => (list.all() as Row[]).map(toRecord),
    count: () => (count.get() as { n: number }).n,
    revoke: (id, at) => {
      localWrites++;
      return writeTransaction(db, () => revoke.run(at.getTime(), id).changes > 0);
    },
    setExpiry: (id, expiresAt) => {
      localWrites++;
      return writeTransaction(db, () => setExpiry.run(expiresAt.getTime(), id).changes > 0);
    },
    touch(id, at) {
      bestEffort(() => touch.run(at.getTime(), id));
    },
    externalVersion: () => (dataVersion.get() as { data_version: number }).data_version,
    close: () => db.close(),
  };
}
