/**
 * ApiKeyStore on either dialect of @mcp-auth/database: the embedded SQLite file (the default) or a
 * shared PostgreSQL (DATABASE_URL), one set of queries for both. Lookups are by primary key, so
 * verification costs the same with ten keys or a million. Writes go through writeTransaction;
 * `touch` is best effort.
 *
 * Other processes' writes (the keys command, other replicas) are found by `api_key_changes`, one row
 * whose version every insert, revocation and expiry change raises in its own transaction. Unlike
 * SQLite's data_version it means the same on PostgreSQL, and it ignores last-used stamps, which
 * change nothing a verifier caches.
 */
import { type BestEffortLog, bestEffortWriter, type Database, migrate, toDate, toMs, writeTransaction } from '@mcp-auth/database';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';

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
  api_key_changes: { id: number; version: number };
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
  {
    sqlite: `CREATE TABLE api_key_changes (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT;
             INSERT INTO api_key_changes (id, version) VALUES (1, 0)`,
    postgres: `CREATE TABLE api_key_changes (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
               INSERT INTO api_key_changes (id, version) VALUES (1, 0)`,
  },
] as const;

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

/** Raises the version other processes watch; in the transaction of the write it announces. */
const announce = (trx: Transaction<ApiKeyTables>) =>
  trx.updateTable('api_key_changes').set({ version: sql<number>`version + 1` }).where('id', '=', 1).execute();

export interface ApiKeyStoreOptions {
  /** Where a failed best-effort write (`touch`) is reported, once per burst (the server's logger). */
  log?: BestEffortLog;
}

/** Migrates `database` (once, however many processes start together) and returns the store; close() closes the database. */
export async function openApiKeyStore(database: Database<ApiKeyTables>, options: ApiKeyStoreOptions = {}): Promise<ApiKeyStore> {
  await migrate(database, 'api_keys', MIGRATIONS);
  const db: Kysely<ApiKeyTables> = database.db;
  const bestEffort = bestEffortWriter(database, { what: 'api key last_used_at', ...(options.log ? { log: options.log } : {}) });
  let localWrites = 0;

  /**
   * A write and its announcement in one transaction. Counted when it begins and again when it has
   * ended: a record read while it runs may be the old one, and the second count drops it.
   */
  const write = async <T>(body: (trx: Transaction<ApiKeyTables>) => Promise<T>): Promise<T> => {
    localWrites++;
    try {
      return await writeTransaction(database, async (trx) => {
        const result = await body(trx);
        await announce(trx);
        return result;
      });
    } finally {
      localWrites++;
    }
  };

  return {
    get localWrites() {
      return localWrites;
    },
    async insert(r) {
      await write((trx) =>
        trx
          .insertInto('api_keys')
          .values({
            id: r.id,
            name: r.name,
            secret_hash: r.secretHash,
            created_at: r.createdAt.getTime(),
            expires_at: toMs(r.expiresAt),
            revoked_at: toMs(r.revokedAt),
            last_used_at: toMs(r.lastUsedAt),
            rotated_from: r.rotatedFrom,
          })
          .execute(),
      );
    },
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
      write(async (trx) => {
        const result = await trx
          .updateTable('api_keys')
          .set({ revoked_at: sql<number>`coalesce(revoked_at, ${at.getTime()})` })
          .where('id', '=', id)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      }),
    setExpiry: (id, expiresAt) =>
      write(async (trx) => {
        const result = await trx.updateTable('api_keys').set({ expires_at: expiresAt.getTime() }).where('id', '=', id).executeTakeFirst();
        return result.numUpdatedRows > 0n;
      }),
    touch(id, at) {
      bestEffort((db) => db.updateTable('api_keys').set({ last_used_at: at.getTime() }).where('id', '=', id));
    },
    async externalVersion() {
      const row = await db.selectFrom('api_key_changes').select('version').where('id', '=', 1).executeTakeFirstOrThrow();
      return Number(row.version);
    },
    close: () => database.close(),
  };
}
