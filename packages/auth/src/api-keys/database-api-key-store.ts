/**
 * ApiKeyStore on either dialect of @mcp-auth/database: the embedded SQLite file (the default) or a
 * shared PostgreSQL (DATABASE_URL), one set of queries for both. Lookups are by primary key, so
 * verification costs the same with ten keys or a million. Writes go through writeTransaction;
 * `touch` is best effort.
 *
 * Other processes' writes (the keys command, other replicas) are found by `api_key_changes`, the
 * version row every insert, revocation and expiry change raises in its own transaction
 * (@mcp-auth/database's announcedWrites); last-used stamps do not raise it.
 */
import {
  announcedWrites,
  type BestEffortLog,
  bestEffortWriter,
  type Database,
  exclusive,
  migrate,
  toDate,
  toMs,
  versionRowStep,
} from '@mcp-auth/database';
import { type Kysely, sql } from 'kysely';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';

/** The tables queried here (`api_key_changes` is announcedWrites's, by name). */
export interface ApiKeyTables {
  api_keys: {
    id: string;
    name: string;
    secret_hash: Buffer;
    created_at: number;
    expires_at: number | null;
    revoked_at: number | null;
    last_used_at: number | null;
    rotated_from: string | null;
  };
}

type Row = ApiKeyTables['api_keys'];

// Step 1 is the table SQLite files made before PostgreSQL was supported: they continue at step 2.
const MIGRATIONS = [
  {
    sqlite: `CREATE TABLE api_keys (
       id           TEXT PRIMARY KEY,
       name         TEXT NOT NULL,
       secret_hash  BLOB NOT NULL,
       created_at   INTEGER NOT NULL,
       expires_at   INTEGER,
       revoked_at   INTEGER,
       last_used_at INTEGER,
       rotated_from TEXT
     ) STRICT`,
    postgres: `CREATE TABLE api_keys (
       id           TEXT PRIMARY KEY,
       name         TEXT NOT NULL,
       secret_hash  BYTEA NOT NULL,
       created_at   BIGINT NOT NULL,
       expires_at   BIGINT,
       revoked_at   BIGINT,
       last_used_at BIGINT,
       rotated_from TEXT
     )`,
  },
  versionRowStep('api_key_changes'),
  // A rotation looks for a key's successor (one rotation per key); without it, a scan of every key.
  'CREATE INDEX api_keys_rotated_from ON api_keys (rotated_from)',
];

const toRow = (r: ApiKeyRecord): Row => ({
  id: r.id,
  name: r.name,
  secret_hash: r.secretHash,
  created_at: r.createdAt.getTime(),
  expires_at: toMs(r.expiresAt),
  revoked_at: toMs(r.revokedAt),
  last_used_at: toMs(r.lastUsedAt),
  rotated_from: r.rotatedFrom,
});

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

export interface ApiKeyStoreOptions {
  /** Where a failed best-effort write (`touch`) is reported, once per burst (the server's logger). */
  log?: BestEffortLog;
}

/** Migrates `database` (once, however many processes start together) and returns the store; close() closes the database. */
export async function openApiKeyStore(database: Database<ApiKeyTables>, options: ApiKeyStoreOptions = {}): Promise<ApiKeyStore> {
  await migrate(database, 'api_keys', MIGRATIONS);
  const db: Kysely<ApiKeyTables> = database.db;
  const bestEffort = bestEffortWriter(database, { what: 'api key last_used_at', ...(options.log ? { log: options.log } : {}) });
  const writes = announcedWrites(database, 'api_key_changes');

  return {
    get localWrites() {
      return writes.localWrites;
    },
    async insert(r) {
      await writes.write((trx) => trx.insertInto('api_keys').values(toRow(r)).execute());
    },
    insertIfEmpty: (r) =>
      writes.write(async (trx) => {
        // PostgreSQL: the others wait here, then see this one's key (on SQLite the file's write lock does that).
        await exclusive(trx, 'api_keys:first key');
        if (await trx.selectFrom('api_keys').select('id').limit(1).executeTakeFirst()) return false;
        await trx.insertInto('api_keys').values(toRow(r)).execute();
        return true;
      }),
    rotate: (id, plan) =>
      writes.write(async (trx) => {
        await exclusive(trx, `api_keys:rotate ${id}`);
        const old = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
        const successor = await trx.selectFrom('api_keys').select('id').where('rotated_from', '=', id).limit(1).executeTakeFirst();
        const decided = plan(old && toRecord(old), successor?.id);
        await trx.insertInto('api_keys').values(toRow(decided.next)).execute();
        if (decided.oldExpiresAt) {
          await trx.updateTable('api_keys').set({ expires_at: decided.oldExpiresAt.getTime() }).where('id', '=', id).execute();
        }
        return decided;
      }),
    async findById(id) {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async list() {
      const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toRecord);
    },
    async count() {
      const row = await db
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    revoke: (id, at) =>
      writes.write(async (trx) => {
        const result = await trx
          .updateTable('api_keys')
          .set({ revoked_at: sql<number>`coalesce(revoked_at, ${at.getTime()})` })
          .where('id', '=', id)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      }),
    touch(id, at) {
      bestEffort((db) => db.updateTable('api_keys').set({ last_used_at: at.getTime() }).where('id', '=', id));
    },
    externalVersion: () => writes.version(),
    close: () => database.close(),
  };
}
