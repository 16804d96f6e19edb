/**
 * OAuthClientStore on the embedded SQLite database. Writes go through writeTransaction (wait for the
 * lock, or DatabaseBusyError); `touch` is best effort.
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
import type { OAuthClientRecord, OAuthClientStore } from './client-store.js';

interface Row {
  client_id: string;
  name: string;
  secret_hash: Buffer;
  previous_secret_hash: Buffer | null;
  previous_secret_expires_at: number | null;
  scopes: string;
  subject: string;
  role: string | null;
  claims: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

const MIGRATIONS = [
  `CREATE TABLE oauth_clients (
     client_id                  TEXT PRIMARY KEY,
     name                       TEXT NOT NULL,
     secret_hash                BLOB NOT NULL,
     previous_secret_hash       BLOB,
     previous_secret_expires_at INTEGER,
     scopes                     TEXT NOT NULL,
     subject                    TEXT NOT NULL,
     role                       TEXT,
     created_at                 INTEGER NOT NULL,
     revoked_at                 INTEGER,
     last_used_at               INTEGER
   ) STRICT`,
  `ALTER TABLE oauth_clients ADD COLUMN claims TEXT NOT NULL DEFAULT '{}'`,
];

function toRecord(row: Row): OAuthClientRecord {
  return {
    clientId: row.client_id,
    name: row.name,
    secretHash: Buffer.from(row.secret_hash),
    previousSecretHash: row.previous_secret_hash ? Buffer.from(row.previous_secret_hash) : null,
    previousSecretExpiresAt: toDate(row.previous_secret_expires_at),
    scopes: row.scopes.split(' ').filter(Boolean),
    subject: row.subject,
    role: row.role,
    claims: JSON.parse(row.claims) as Record<string, string>,
    createdAt: new Date(row.created_at),
    revokedAt: toDate(row.revoked_at),
    lastUsedAt: toDate(row.last_used_at),
  };
}

export interface SqliteStoreOptions {
  /** Where a failed best-effort write (`touch`) is reported, once per burst (the server's logger). */
  log?: BestEffortLog;
}

export function openSqliteClientStore(pathOrDb: string | SqliteDatabase, options: SqliteStoreOptions = {}): OAuthClientStore {
  const db = typeof pathOrDb === 'string' ? openDatabase(pathOrDb) : pathOrDb;
  migrate(db, 'oauth_clients', MIGRATIONS);
  const bestEffort = bestEffortWriter(db, { what: 'oauth client last_used_at', log: options.log });
  const insert = db.prepare(
    `INSERT INTO oauth_clients (client_id, name, secret_hash, previous_secret_hash, previous_secret_expires_at, scopes, subject, role,
       claims, created_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const find = db.prepare('SELECT * FROM oauth_clients WHERE client_id = ?');
  const list = db.prepare('SELECT * FROM oauth_clients ORDER BY created_at, client_id');
  const count = db.prepare('SELECT count(*) AS n FROM oauth_clients');
  const replaceSecret = db.prepare(
    'UPDATE oauth_clients SET secret_hash = ?, previous_secret_hash = ?, previous_secret_expires_at = ? WHERE client_id = ?',
  );
  const revoke = db.prepare('UPDATE oauth_clients SET revoked_at = coalesce(revoked_at, ?) WHERE client_id = ?');
  const touch = db.prepare('UPDATE oauth_clients SET last_used_at = ? WHERE client_id = ?');
  // SQLite's data_version changes when another connection commits to the file (not for our own writes).
  const dataVersion = db.prepare('PRAGMA data_version');
  let localWrites = 0;
  return {
    get localWrites() {
      return localWrites;
    },
    externalVersion: () => (dataVersion.get() as { data_version: number }).data_version,
    insert(r) {
      localWrites++;
      writeTransaction(db, () =>
        insert.run(
          r.clientId,
          r.name,
          r.secretHash,
          r.previousSecretHash,
          toMs(r.previousSecretExpiresAt),
          r.scopes.join(' '),
          r.subject,
          r.role,
          JSON.stringify(r.claims),
          r.createdAt.getTime(),
          toMs(r.revokedAt),
          toMs(r.lastUsedAt),
        ),
      );
    },
    findById(clientId) {
      const row = find.get(clientId) as Row | undefined;
      return row ? toRecord(row) : undefined;
    },
    list: () => (list.all() as Row[]).map(toRecord),
    count: () => (count.get() as { n: number }).n,
    replaceSecret(clientId, hash, previous) {
      localWrites++;
      return writeTransaction(db, () => replaceSecret.run(hash, previous?.hash ?? null, toMs(previous?.expiresAt), clientId).changes > 0);
    },
    revoke(clientId, at) {
      localWrites++;
      return writeTransaction(db, () => revoke.run(at.getTime(), clientId).changes > 0);
    },
    touch(clientId, at) {
      bestEffort(() => touch.run(at.getTime(), clientId));
    },
  };
}
