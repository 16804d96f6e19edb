/**
 * The issuer's revocation feed (`GET /revocations`): what resource servers in other processes need to
 * refuse revoked tokens, since they verify with public keys only. It lists clients revoked within the
 * longest a token can live (their tokens are refused, whenever issued) and token ids revoked by RFC
 * 7009 /revoke whose tokens could still verify. It is public, like the JWKS: client ids are not
 * secrets (RFC 6749 §2.2) and a jti is a random name for a token already dead.
 */
import type { OAuthClientStore } from './client-store.js';
import type { RevocationList, RevokedToken } from './revocation-list.js';
import { REVOCATION_GRACE_SECONDS } from './token-revocations.js';

export interface RevokedClient {
  readonly client_id: string;
  /** Seconds since the epoch. */
  readonly revoked_at: number;
}

export interface RevocationFeedDocument {
  readonly issuer: string;
  /** When the issuer built this answer, seconds since the epoch. */
  readonly generated_at: number;
  readonly clients: readonly RevokedClient[];
  readonly tokens: readonly RevokedToken[];
}

export interface RevocationFeedSources {
  issuer: string;
  clients: Pick<OAuthClientStore, 'list'>;
  tokens: Pick<RevocationList, 'entries'>;
  /** The lifetime of the tokens the issuer signs. */
  tokenTtlSeconds: number;
  now?: () => number;
}

export async function buildRevocationFeed(sources: RevocationFeedSources): Promise<RevocationFeedDocument> {
  const now = Math.floor((sources.now ?? Date.now)() / 1000);
  // A token issued just before its client was revoked verifies until iat + ttl + clock tolerance.
  const clientsSince = now - sources.tokenTtlSeconds - REVOCATION_GRACE_SECONDS;
  return {
    issuer: sources.issuer,
    generated_at: now,
    clients: (await sources.clients.list())
      .filter((c) => c.revokedAt !== null && c.revokedAt.getTime() / 1000 >= clientsSince)
      .map((c) => ({ client_id: c.clientId, revoked_at: Math.floor((c.revokedAt as Date).getTime() / 1000) })),
    tokens: (await sources.tokens.entries()).filter((t) => t.exp > now - REVOCATION_GRACE_SECONDS),
  };
}

/** Checks a fetched feed; throws an Error saying what is wrong. */
export function parseRevocationFeed(body: unknown): RevocationFeedDocument {
  const doc = body as Partial<RevocationFeedDocument> | null;
  if (typeof doc !== 'object' || doc === null) throw new Error('revocation feed is not a JSON object');
  if (!Array.isArray(doc.clients) || !Array.isArray(doc.tokens)) throw new Error('revocation feed has no clients and tokens arrays');
  for (const c of doc.clients) {
    if (typeof c?.client_id !== 'string' || typeof c.revoked_at !== 'number')
      throw new Error('revocation feed has a malformed client entry');
  }
  for (const t of doc.tokens) {
    if (typeof t?.jti !== 'string' || typeof t.exp !== 'number') throw new Error('revocation feed has a malformed token entry');
  }
  return {
    issuer: String(doc.issuer ?? ''),
    generated_at: typeof doc.generated_at === 'number' ? doc.generated_at : 0,
    clients: doc.clients,
    tokens: doc.tokens,
  };
}
