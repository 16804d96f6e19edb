/**
 * OAuthClientStore on either dialect of @mcp-auth/database: the embedded SQLite file (the default) or
 * a shared PostgreSQL, one set of queries for both, as the API key store (database-api-key-store.ts).
 * Writes go through writeTransaction; `touch` is best effort.
 *
 * Other processes' writes (the `clients` command, other replicas) are found by `oauth_client_changes`,
 * the version row every insert, rotation and revocation raises in its own transaction
 * (@mcp-auth/database's announcedWrites); last-use stamps do not raise it.
 */
import {
  announcedWrites,
  type BestEffortLog,
  bestEffortWriter,
  type Database,
  migrate,
  toDate,
  toMs,
  versionRowStep,
} from '@mcp-auth/database';
import { type Kysely, sql } from 'kysely';
import type { OAuthClientRecord, OAuthClientStore } from './client-store.js';

/** The tables queried here (`oauth_client_changes` is announcedWrites's, by name). */
export interface ClientTables {
  oauth_clients: {
    client_id: string;
    name: string;
    secret_hash: Buffer;
    previous_secret_hash: Buffer | null;
    previous_secret_expires_at: number | null;
    /** Space-separated, as in a token's `scope`. */
    scopes: string;
    subject: string;
    role: string | null;
    /** JSON object of string claims. */
    claims: string;
    created_at: number;
    revoked_at: number | null;
    last_used_at: number | null;
  };
}

type Row = ClientTables['oauth_clients'];

// Steps 1 and 2 are the ones SQLite files made before PostgreSQL was supported: they continue at step 3.
const MIGRATIONS = [
  {
    sqlite: `CREATE TABLE oauth_clients (
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
    postgres: `CREATE TABLE oauth_clients (
       client_id                  TEXT PRIMARY KEY,
       name                       TEXT NOT NULL,
       secret_hash                BYTEA NOT NULL,
       previous_secret_hash       BYTEA,
       previous_secret_expires_at BIGINT,
       scopes                     TEXT NOT NULL,
       subject                    TEXT NOT NULL,
       role                       TEXT,
       created_at                 BIGINT NOT NULL,
       revoked_at                 BIGINT,
       last_used_at               BIGINT
     )`,
  },
  `ALTER TABLE oauth_clients ADD COLUMN claims TEXT NOT NULL DEFAULT '{}'`,
  versionRowStep('oauth_client_changes'),
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

export interface ClientStoreOptions {
  /** Where a failed best-effort write (`touch`) is reported, once per burst (the server's logger). */
  log?: BestEffortLog;
  /** Called once a client's revocation has committed: to announce it to other processes (the issuer's Redis nudge). */
  onRevoked?: () => void;
}

/**
 * Migrates `database` (once, however many processes start together) and returns the store. The
 * database is the caller's to close: a server's other stores share it.
 */
export async function openClientStore<DB extends ClientTables>(
  shared: Database<DB>,
  options: ClientStoreOptions = {},
): Promise<OAuthClientStore> {
  // A server's stores share one Database, typed with all of its tables; this one queries only its own.
  const database = shared as unknown as Database<ClientTables>;
  await migrate(database, 'oauth_clients', MIGRATIONS);
  const db: Kysely<ClientTables> = database.db;
  const bestEffort = bestEffortWriter(database, { what: 'oauth client last_used_at', ...(options.log ? { log: options.log } : {}) });
  const changed = (result: { numUpdatedRows: bigint }) => result.numUpdatedRows > 0n;

  const writes = announcedWrites(database, 'oauth_client_changes');
  return {
    get localWrites() {
      return writes.localWrites;
    },
    insert: (r) =>
      writes.write(async (trx) => {
        // A unique key decides, not a look first: two replicas creating one id at once get one client.
        const result = await trx
          .insertInto('oauth_clients')
          .values({
            client_id: r.clientId,
            name: r.name,
            secret_hash: r.secretHash,
            previous_secret_hash: r.previousSecretHash,
            previous_secret_expires_at: toMs(r.previousSecretExpiresAt),
            scopes: r.scopes.join(' '),
            subject: r.subject,
            role: r.role,
            claims: JSON.stringify(r.claims),
            created_at: r.createdAt.getTime(),
            revoked_at: toMs(r.revokedAt),
            last_used_at: toMs(r.lastUsedAt),
          })
          .onConflict((oc) => oc.column('client_id').doNothing())
          .executeTakeFirst();
        return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
      }),
    async findById(clientId) {
      const row = await db.selectFrom('oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async list() {
      const rows = await db.selectFrom('oauth_clients').selectAll().orderBy('created_at').orderBy('client_id').execute();
      return rows.map(toRecord);
    },
    async count() {
      const row = await db
        .selectFrom('oauth_clients')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    replaceSecret: (clientId, hash, previous) =>
      writes.write(async (trx) =>
        changed(
          await trx
            .updateTable('oauth_clients')
            .set({ secret_hash: hash, previous_secret_hash: previous?.hash ?? null, previous_secret_expires_at: toMs(previous?.expiresAt) })
            .where('client_id', '=', clientId)
            .executeTakeFirst(),
        ),
      ),
    async revoke(clientId, at) {
      const revoked = await writes.write(async (trx) =>
        changed(
          await trx
            .updateTable('oauth_clients')
            .set({ revoked_at: sql<number>`coalesce(revoked_at, ${at.getTime()})` })
            .where('client_id', '=', clientId)
            .executeTakeFirst(),
        ),
      );
      if (revoked) options.onRevoked?.();
      return revoked;
    },
    touch(clientId, at) {
      bestEffort((db) => db.updateTable('oauth_clients').set({ last_used_at: at.getTime() }).where('client_id', '=', clientId));
    },
    externalVersion: () => writes.version(),
  };
}
