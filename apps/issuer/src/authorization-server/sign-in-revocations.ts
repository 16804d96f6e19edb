/**
 * Revocation for people's sign-ins, honoured by every resource server within REVOCATION_POLL_SECONDS
 * (5 s by default) through the issuer's revocation feed, the same deny list that serves the
 * client-credentials tokens.
 *
 * Access tokens are JWTs that resource servers verify on their own, so revoking a sign-in (RFC 7009
 * on its refresh token, a replayed refresh token, or RFC 7009 on one of its access tokens) must name
 * each access token still valid. The provider keeps no copy of a JWT, so the `jti` and grant of each
 * one are recorded here when it is issued, until it expires; when the provider revokes a grant, every
 * access token recorded for it goes on the deny list.
 *
 * Chosen over RFC 7662 introspection: resource servers keep verifying locally (no call to the issuer
 * per request, and no outage when it is down), at the price of a bounded delay (the poll interval).
 */
import type { RevocationList } from '@mcp-auth/auth';
import { type Database, migrate, writeTransaction } from '@mcp-auth/database';

export interface IssuedAccessToken {
  readonly jti: string;
  readonly grantId: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

export interface SignInRevocations {
  /** Records a token before it is handed out: a failure here fails the token request. */
  issued(token: IssuedAccessToken): Promise<void>;
  /** Denies every recorded access token of the grant that has not expired; resolves to how many. */
  grantRevoked(grantId: string): Promise<number>;
  /** The grant an access token belongs to, while it is recorded. */
  grantOf(jti: string): Promise<string | undefined>;
  /** Forgets tokens that expired; resolves to how many. */
  prune(nowSeconds?: number): Promise<number>;
}

/** The table queried here. */
export interface SignInTables {
  sign_in_access_tokens: { jti: string; grant_id: string; expires_at: number };
}

const MIGRATIONS = [
  {
    sqlite: 'CREATE TABLE sign_in_access_tokens (jti TEXT PRIMARY KEY, grant_id TEXT NOT NULL, expires_at INTEGER NOT NULL) STRICT',
    postgres: 'CREATE TABLE sign_in_access_tokens (jti TEXT PRIMARY KEY, grant_id TEXT NOT NULL, expires_at BIGINT NOT NULL)',
  },
  'CREATE INDEX sign_in_access_tokens_grant ON sign_in_access_tokens (grant_id)',
];

/** Migrates `database` (once, however many replicas start together) and returns the records. */
export async function openSignInRevocations<DB extends SignInTables>(
  shared: Database<DB>,
  revocations: RevocationList,
): Promise<SignInRevocations> {
  // A server's stores share one Database, typed with all of its tables; this one queries only its own.
  const database = shared as unknown as Database<SignInTables>;
  await migrate(database, 'sign_in_access_tokens', MIGRATIONS);
  const { db } = database;
  const now = () => Math.floor(Date.now() / 1000);
  return {
    async issued({ jti, grantId, exp }) {
      await writeTransaction(database, (trx) =>
        trx
          .insertInto('sign_in_access_tokens')
          .values({ jti, grant_id: grantId, expires_at: exp })
          .onConflict((oc) => oc.column('jti').doNothing())
          .execute(),
      );
    },
    async grantRevoked(grantId) {
      // The records stay until they expire (prune): a token of the grant issued while this runs is
      // then denied by the next revocation of the grant rather than forgotten unrevoked.
      const tokens = await db
        .selectFrom('sign_in_access_tokens')
        .select(['jti', 'expires_at'])
        .where('grant_id', '=', grantId)
        .where('expires_at', '>', now())
        .execute();
      for (const token of tokens) await revocations.revoke(token.jti, token.expires_at);
      return tokens.length;
    },
    async grantOf(jti) {
      const row = await db.selectFrom('sign_in_access_tokens').select('grant_id').where('jti', '=', jti).executeTakeFirst();
      return row?.grant_id;
    },
    async prune(nowSeconds = now()) {
      const result = await writeTransaction(database, (trx) =>
        trx.deleteFrom('sign_in_access_tokens').where('expires_at', '<=', nowSeconds).executeTakeFirst(),
      );
      return Number(result.numDeletedRows);
    },
  };
}
