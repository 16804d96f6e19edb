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
import { migrate, type RevocationList, type SqliteDatabase, writeTransaction } from '@mcp-auth/auth';

export interface IssuedAccessToken {
  readonly jti: string;
  readonly grantId: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

export interface SignInRevocations {
  issued(token: IssuedAccessToken): void;
  /** Denies every recorded access token of the grant; returns how many. */
  grantRevoked(grantId: string): number;
  /** The grant an access token belongs to, while it is recorded. */
  grantOf(jti: string): string | undefined;
  /** Forgets tokens that expired; returns how many. */
  prune(nowSeconds?: number): number;
}

export function openSignInRevocations(db: SqliteDatabase, revocations: RevocationList): SignInRevocations {
  migrate(db, 'sign_in_access_tokens', [
    'CREATE TABLE sign_in_access_tokens (jti TEXT PRIMARY KEY, grant_id TEXT NOT NULL, expires_at INTEGER NOT NULL) STRICT',
    'CREATE INDEX sign_in_access_tokens_grant ON sign_in_access_tokens (grant_id)',
  ]);
  const insert = db.prepare('INSERT OR IGNORE INTO sign_in_access_tokens (jti, grant_id, expires_at) VALUES (?, ?, ?)');
  const ofGrant = db.prepare('SELECT jti, expires_at FROM sign_in_access_tokens WHERE grant_id = ? AND expires_at > ?');
  const forgetGrant = db.prepare('DELETE FROM sign_in_access_tokens WHERE grant_id = ?');
  const grantOf = db.prepare('SELECT grant_id FROM sign_in_access_tokens WHERE jti = ?');
  const prune = db.prepare('DELETE FROM sign_in_access_tokens WHERE expires_at <= ?');
  const now = () => Math.floor(Date.now() / 1000);
  return {
    issued: ({ jti, grantId, exp }) => void writeTransaction(db, () => insert.run(jti, grantId, exp)),
    grantRevoked(grantId) {
      const tokens = ofGrant.all(grantId, now()) as Array<{ jti: string; expires_at: number }>;
      for (const token of tokens) revocations.revoke(token.jti, token.expires_at);
      writeTransaction(db, () => forgetGrant.run(grantId));
      return tokens.length;
    },
    grantOf: (jti) => (grantOf.get(jti) as { grant_id: string } | undefined)?.grant_id,
    prune: (nowSeconds = now()) => Number(writeTransaction(db, () => prune.run(nowSeconds)).changes),
  };
}
