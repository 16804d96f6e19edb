/**
 * oidc-provider's storage in the issuer's database (the embedded SQLite file, or a shared PostgreSQL
 * so that every replica knows every sign-in): authorization codes, refresh tokens, grants, sessions,
 * interactions and dynamically registered clients, so a restart loses no sign-in and no refresh
 * token (oidc-provider's built-in memory adapter is for development only).
 *
 * One table holds every model, keyed by (model, id), with the columns the provider looks things up by
 * (grant id, uid, user code). Writes go through writeTransaction like every write in this project and
 * have committed when the provider's call returns; expired rows are never returned and are swept in
 * the background.
 */
import { type Database, migrate, writeTransaction } from '@mcp-auth/database';
import type { Adapter, AdapterPayload } from 'oidc-provider';

const MIGRATIONS = [
  {
    sqlite: `CREATE TABLE oidc_models (
       model TEXT NOT NULL,
       id TEXT NOT NULL,
       payload TEXT NOT NULL,
       grant_id TEXT,
       uid TEXT,
       user_code TEXT,
       expires_at INTEGER,
       consumed_at INTEGER,
       PRIMARY KEY (model, id)
     ) STRICT`,
    postgres: `CREATE TABLE oidc_models (
       model TEXT NOT NULL,
       id TEXT NOT NULL,
       payload TEXT NOT NULL,
       grant_id TEXT,
       uid TEXT,
       user_code TEXT,
       expires_at BIGINT,
       consumed_at BIGINT,
       PRIMARY KEY (model, id)
     )`,
  },
  'CREATE INDEX oidc_models_grant ON oidc_models (grant_id) WHERE grant_id IS NOT NULL',
  'CREATE INDEX oidc_models_uid ON oidc_models (model, uid) WHERE uid IS NOT NULL',
  'CREATE INDEX oidc_models_expiry ON oidc_models (expires_at) WHERE expires_at IS NOT NULL',
];

/** The table queried here. */
export interface ProviderTables {
  oidc_models: {
    model: string;
    id: string;
    payload: string;
    grant_id: string | null;
    uid: string | null;
    user_code: string | null;
    /** Milliseconds since the epoch. */
    expires_at: number | null;
    consumed_at: number | null;
  };
}

/** Models whose rows share a grant, so revoking the grant (RFC 7009, or a reused refresh token) removes them all. */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'ClientCredentials',
  'BackchannelAuthenticationRequest',
  'Grant',
]);

type Row = Pick<ProviderTables['oidc_models'], 'payload' | 'expires_at' | 'consumed_at'>;

export interface ProviderStorage {
  /** The class oidc-provider constructs once per model name (its `adapter` setting). */
  readonly Adapter: new (
    model: string,
  ) => Adapter;
  /** Deletes expired rows; resolves to how many. */
  sweep(now?: number): Promise<number>;
}

export interface ProviderStorageOptions {
  /**
   * Called when the provider revokes a grant's access tokens (a revoked sign-in, a reused refresh
   * token), and waited for before the provider answers. Its access tokens are JWTs it keeps no copy
   * of, so there is nothing of theirs to delete here; this is where they go on the deny list.
   */
  onAccessTokensRevoked?: (grantId: string) => Promise<unknown>;
}

/** Migrates `database` (once, however many replicas start together) and returns the storage. */
export async function openProviderStorage<DB extends ProviderTables>(
  shared: Database<DB>,
  options: ProviderStorageOptions = {},
): Promise<ProviderStorage> {
  // A server's stores share one Database, typed with all of its tables; this one queries only its own.
  const database = shared as unknown as Database<ProviderTables>;
  await migrate(database, 'oidc_models', MIGRATIONS);
  const { db } = database;
  const columns = ['payload', 'expires_at', 'consumed_at'] as const;

  const read = (row: Row | undefined): AdapterPayload | undefined => {
    if (!row) return undefined;
    const { payload, expires_at, consumed_at } = row;
    if (expires_at !== null && expires_at <= Date.now()) return undefined;
    const value = JSON.parse(payload) as AdapterPayload;
    // The provider learns that a code or refresh token was used from `consumed` (and treats a
    // second use as replay: the whole grant is revoked).
    return consumed_at === null ? value : { ...value, consumed: Math.floor(consumed_at / 1000) };
  };

  class DatabaseAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const row = {
        payload: JSON.stringify(payload),
        grant_id: GRANTABLE.has(this.model) && typeof payload.grantId === 'string' ? payload.grantId : null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        expires_at: expiresIn ? Date.now() + expiresIn * 1000 : null,
      };
      await writeTransaction(database, (trx) =>
        trx
          .insertInto('oidc_models')
          .values({ model: this.model, id, ...row, consumed_at: null })
          .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
          .execute(),
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return read(
        await db.selectFrom('oidc_models').select(columns).where('model', '=', this.model).where('id', '=', id).executeTakeFirst(),
      );
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return read(
        await db.selectFrom('oidc_models').select(columns).where('model', '=', this.model).where('uid', '=', uid).executeTakeFirst(),
      );
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return read(
        await db
          .selectFrom('oidc_models')
          .select(columns)
          .where('model', '=', this.model)
          .where('user_code', '=', userCode)
          .executeTakeFirst(),
      );
    }

    async consume(id: string): Promise<void> {
      await writeTransaction(database, (trx) =>
        trx.updateTable('oidc_models').set({ consumed_at: Date.now() }).where('model', '=', this.model).where('id', '=', id).execute(),
      );
    }

    async destroy(id: string): Promise<void> {
      await writeTransaction(database, (trx) =>
        trx.deleteFrom('oidc_models').where('model', '=', this.model).where('id', '=', id).execute(),
      );
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await writeTransaction(database, (trx) => trx.deleteFrom('oidc_models').where('grant_id', '=', grantId).execute());
      if (this.model === 'AccessToken') await options.onAccessTokensRevoked?.(grantId);
    }
  }

  return {
    Adapter: DatabaseAdapter,
    sweep: async (now = Date.now()) => {
      const result = await writeTransaction(database, (trx) =>
        trx.deleteFrom('oidc_models').where('expires_at', 'is not', null).where('expires_at', '<=', now).executeTakeFirst(),
      );
      return Number(result.numDeletedRows);
    },
  };
}
