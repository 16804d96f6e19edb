/**
 * Authenticates an OAuth client (RFC 6749 §2.3.1) by HTTP Basic (`client_secret_basic`, the SDK's
 * default) or by `client_id`/`client_secret` in the body (`client_secret_post`, and the reference
 * article's JSON). Using both at once is refused. Every failure is the same `invalid_client`, and an
 * unknown client costs the same comparisons as a known one. Records and matched secrets are cached as
 * API keys are (record-cache.ts): a client revoked or rotated by the `clients` command in another
 * process is seen within 100 ms.
 */

import { type Awaitable, createRecordCache } from '../record-cache.js';
import { digestsEqual, hashClientSecret } from './client-secret.js';
import type { OAuthClientRecord, OAuthClientStore } from './client-store.js';
import { OAuthError } from './oauth-error.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_basic' | 'client_secret_post';
}

const DUMMY_HASH = hashClientSecret('unknown', 'unknown');

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** Reads client credentials from the Authorization header or the body; throws OAuthError. */
/**
 * The client id a token or revocation request names, by HTTP Basic or in the body, checking nothing:
 * for per-client rate limits and for deciding who handles the request, before authentication.
 */
export function claimedClientId(authorization: string | undefined, body: Record<string, unknown>): string | undefined {
  const [scheme, value] = authorization?.trim().split(/\s+/, 2) ?? [];
  if (scheme?.toLowerCase() === 'basic' && value) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon > 0 ? formDecode(decoded.slice(0, colon)) : undefined;
  }
  return typeof body.client_id === 'string' && body.client_id !== '' ? body.client_id : undefined;
}

export function readClientCredentials(authorization: string | undefined, body: Record<string, unknown>): ClientCredentials {
  const bodyId = body.client_id;
  const bodySecret = body.client_secret;
  const header = authorization?.trim();
  if (header) {
    const [scheme, value] = header.split(/\s+/, 2);
    if (scheme?.toLowerCase() !== 'basic' || !value) throw new OAuthError('invalid_client', 'Client authentication must use HTTP Basic');
    if (bodySecret !== undefined)
      throw new OAuthError('invalid_request', 'Use one client authentication method, not Basic and client_secret together');
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) throw new OAuthError('invalid_client', 'Malformed Basic client credentials');
    const clientId = formDecode(decoded.slice(0, colon));
    if (bodyId !== undefined && bodyId !== clientId)
      throw new OAuthError('invalid_request', 'client_id does not match the Basic credentials');
    return { clientId, clientSecret: formDecode(decoded.slice(colon + 1)), method: 'client_secret_basic' };
  }
  if (typeof bodyId !== 'string' || bodyId === '') throw new OAuthError('invalid_client', 'Client authentication required');
  if (typeof bodySecret !== 'string' || bodySecret === '') throw new OAuthError('invalid_client', 'Client authentication required');
  return { clientId: bodyId, clientSecret: bodySecret, method: 'client_secret_post' };
}

export function createClientAuthenticator(store: OAuthClientStore, now: () => number = Date.now) {
  // Last use is written at most once a minute per client, not on every token request.
  const lastTouched = new Map<string, number>();
  // Which of the client's secrets a presented one matched: a rotated-out secret stays valid only
  // until its expiry, checked on every request.
  const cache = createRecordCache<OAuthClientRecord, 'current' | 'previous'>(store, (id) => store.findById(id), { now });

  const checked = (credentials: ClientCredentials, record: OAuthClientRecord | undefined): OAuthClientRecord => {
    const previousValid =
      !!record?.previousSecretHash && !!record.previousSecretExpiresAt && record.previousSecretExpiresAt.getTime() > now();
    const presentedKey = `${credentials.clientId}:${credentials.clientSecret}`;
    let matched = record ? cache.matchOf(presentedKey) : undefined;
    if (!matched) {
      const presented = hashClientSecret(credentials.clientId, credentials.clientSecret);
      const current = digestsEqual(presented, record?.secretHash ?? DUMMY_HASH);
      const previous = digestsEqual(presented, previousValid ? (record?.previousSecretHash as Buffer) : DUMMY_HASH) && previousValid;
      matched = current ? 'current' : previous ? 'previous' : undefined;
      if (record && matched) cache.rememberMatch(presentedKey, matched);
    }
    const valid = matched === 'current' || (matched === 'previous' && previousValid);
    if (!record || !valid || record.revokedAt) throw new OAuthError('invalid_client', 'Client authentication failed');
    const at = now();
    if (at - (lastTouched.get(record.clientId) ?? 0) >= 60_000) {
      lastTouched.set(record.clientId, at);
      store.touch(record.clientId, new Date(at));
    }
    return record;
  };

  return {
    /**
     * The client, at once when its record is in memory and no look at the store is due, otherwise
     * once the store has answered; throws (or rejects with) OAuthError `invalid_client`, or the
     * store's DatabaseUnavailableError when it cannot answer.
     */
    authenticate(credentials: ClientCredentials): Awaitable<OAuthClientRecord> {
      const record = cache.get(credentials.clientId);
      return record instanceof Promise ? record.then((r) => checked(credentials, r)) : checked(credentials, record);
    },
  };
}
