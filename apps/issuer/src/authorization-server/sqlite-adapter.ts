/**
 * oidc-provider's storage on the issuer's SQLite file: authorization codes, refresh tokens, grants,
 * sessions, interactions and dynamically registered clients, so a restart loses no sign-in and no
 * refresh token (oidc-provider's built-in memory adapter is for development only).
 *
 * One table holds every model, keyed by (model, id), with the columns the provider looks things up by
 * (grant id, uid, user code). Writes go through writeTransaction like every write in this project;
 * expired rows are never returned and are swept in the background.
 */
import { migrate, type SqliteDatabase, writeTransaction } from '@mcp-auth/auth';
import type { Adapter, AdapterPayload } from 'oidc-provider';

const MIGRATIONS = [
  `CREATE TABLE oidc_models (
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
  'CREATE INDEX oidc_models_grant ON oidc_models (grant_id) WHERE grant_id IS NOT NULL',
  'CREATE INDEX oidc_models_uid ON oidc_models (model, uid) WHERE uid IS NOT NULL',
  'CREATE INDEX oidc_models_expiry ON oidc_models (expires_at) WHERE expires_at IS NOT NULL',
];

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

interface Row {
  payload: string;
  expires_at: number | null;
  consumed_at: number | null;
}

export interface ProviderStorage {
  /** The class oidc-provider constructs once per model name (its `adapter` setting). */
  readonly Adapter: new (
    model: string,
  ) => Adapter;
  /** Deletes expired rows; returns how many. */
  sweep(now?: number): number;
}

export function sqliteProviderStorage(db: SqliteDatabase): ProviderStorage {
  migrate(db, 'oidc_models', MIGRATIONS);
  const statements = {
    upsert: db.prepare(
      `INSERT INTO oidc_models (model, id, payload, grant_id, uid, user_code, expires_at, consumed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
         uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at`,
    ),
    byId: db.prepare('SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND id = ?'),
    byUid: db.prepare('SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND uid = ?'),
    byUserCode: db.prepare('SELECT payload, expires_at, consumed_at FROM oidc_models WHERE model = ? AND user_code = ?'),
    consume: db.prepare('UPDATE oidc_models SET consumed_at = ? WHERE model = ? AND id = ?'),
    destroy: db.prepare('DELETE FROM oidc_models WHERE model = ? AND id = ?'),
    revokeGrant: db.prepare('DELETE FROM oidc_models WHERE grant_id = ?'),
    sweep: db.prepare('DELETE FROM oidc_models WHERE expires_at IS NOT NULL AND expires_at <= ?'),
  };

  const read = (row: unknown): AdapterPayload | undefined => {
    if (!row) return undefined;
    const { payload, expires_at, consumed_at } = row as Row;
    if (expires_at !== null && expires_at <= Date.now()) return undefined;
    const value = JSON.parse(payload) as AdapterPayload;
    // The provider learns that a code or refresh token was used from `consumed` (and treats a
    // second use as replay: the whole grant is revoked).
    return consumed_at === null ? value : { ...value, consumed: Math.floor(consumed_at / 1000) };
  };

  class SqliteAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const grantId = GRANTABLE.has(this.model) && typeof payload.grantId === 'string' ? payload.grantId : null;
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : null;
      writeTransaction(db, () =>
        statements.upsert.run(this.model, id, JSON.stringify(payload), grantId, payload.uid ?? null, payload.userCode ?? null, expiresAt),
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return read(statements.byId.get(this.model, id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return read(statements.byUid.get(this.model, uid));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return read(statements.byUserCode.get(this.model, userCode));
    }

    async consume(id: string): Promise<void> {
      writeTransaction(db, () => statements.consume.run(Date.now(), this.model, id));
    }

    async destroy(id: string): Promise<void> {
      writeTransaction(db, () => statements.destroy.run(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      writeTransaction(db, () => statements.revokeGrant.run(grantId));
    }
  }

  return {
    Adapter: SqliteAdapter,
    sweep: (now = Date.now()) => Number(writeTransaction(db, () => statements.sweep.run(now)).changes),
  };
}
