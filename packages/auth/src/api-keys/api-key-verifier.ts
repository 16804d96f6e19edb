/**
 * Verifies API keys presented as `X-API-Key: <key>`, `Authorization: Bearer <key>` or
 * `Authorization: Basic` (user = key and empty password, or user = `mcpk_<id>` and password = secret,
 * or any user and password = key). The secret is hashed and compared in constant time against the
 * stored hash; unknown ids get a comparison too, so timing says nothing about which ids exist.
 *
 * Known records, and keys that matched them, are kept in memory (see record-cache.ts): a key revoked
 * by the `keys` command in another process (or through another replica) is refused within
 * `recheckMs` (100 ms by default). A key in memory is answered at once, without a promise; one that
 * is not, or a due look at the store, waits for the database, and a database that cannot answer
 * refuses the request (DatabaseUnavailableError, 503) rather than trusting what may be revoked.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Credential } from '../credentials.js';
import { AuthError } from '../errors.js';
import { freezePrincipal, type Principal } from '../principal.js';
import { createRecordCache } from '../record-cache.js';
import type { Verifier } from '../verifier.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';
import { API_KEY_PREFIX, hashApiKeySecret, type ParsedApiKey, parseApiKey } from './key-format.js';

export interface ApiKeyVerifierOptions {
  store: ApiKeyStore;
  /** How often at most to write `last_used_at` for one key (default one minute). */
  touchIntervalMs?: number;
  /** How often at most to ask the store whether another process changed it (default 100 ms). */
  recheckMs?: number;
  /** Most records kept in memory (default 10,000); the cache starts over when it is full. */
  cacheSize?: number;
  now?: () => number;
}

const DUMMY_HASH = hashApiKeySecret('0000000000000000', 'x');

function keyFromCredential(credential: Credential): ParsedApiKey | undefined {
  switch (credential.kind) {
    case 'api-key-header':
      return parseApiKey(credential.key);
    case 'bearer':
      return parseApiKey(credential.token);
    case 'basic': {
      const { username, password } = credential;
      return (
        parseApiKey(password) ??
        (password === '' ? parseApiKey(username) : undefined) ??
        (username.startsWith(API_KEY_PREFIX) ? parseApiKey(`${username}_${password}`) : undefined)
      );
    }
  }
}

/**
 * The key exactly as a header or Bearer credential carried it: a key in that form that matched before
 * is found by this string alone, without parsing it again or rebuilding it from its parts. A key sent
 * by Basic has no such string and is parsed each time.
 */
function keyAsSent(credential: Credential): string | undefined {
  return credential.kind === 'api-key-header' ? credential.key : credential.kind === 'bearer' ? credential.token : undefined;
}

export function createApiKeyVerifier(options: ApiKeyVerifierOptions): Verifier {
  const { store, touchIntervalMs = 60_000, now = Date.now } = options;
  const lastTouched = new Map<string, number>();
  const cache = createRecordCache<ApiKeyRecord, ParsedApiKey>(store, (id) => store.findById(id), {
    recheckMs: options.recheckMs,
    size: options.cacheSize,
    now,
  });

  // One frozen Principal per record object: the record cache hands back the same record until the
  // store changes (then a re-read record gets a new Principal), so access decisions and AuthInfo
  // keyed by the Principal (rbac/access.ts, the server kit's auth hook) are made once per key.
  const principals = new WeakMap<ApiKeyRecord, Principal>();
  const principalOf = (record: ApiKeyRecord): Principal => {
    let principal = principals.get(record);
    if (principal === undefined) {
      principal = freezePrincipal({
        id: `apikey:${record.id}`,
        method: 'api-key',
        subject: record.id,
        clientId: record.id,
        displayName: record.name,
        scopes: [],
        expiresAt: record.expiresAt ? Math.floor(record.expiresAt.getTime() / 1000) : undefined,
      });
      principals.set(record, principal);
    }
    return principal;
  };

  // `key` is the whole key, `mcpk_<id>_<secret>`, however it was sent: what a match is remembered by.
  const checked = (parsed: ParsedApiKey, key: string, record: ApiKeyRecord | undefined): Principal => {
    // Asked again after the record: reading it may have dropped what was remembered.
    if (!record || cache.matchOf(key) === undefined) {
      const presented = hashApiKeySecret(parsed.id, parsed.secret);
      const matches = timingSafeEqual(presented, record ? record.secretHash : DUMMY_HASH);
      if (!record || !matches) throw new AuthError('invalid_credentials', 'Invalid API key');
      cache.rememberMatch(key, parsed);
    }

    const at = now();
    if (record.revokedAt && record.revokedAt.getTime() <= at) {
      throw new AuthError('revoked_credentials', 'API key revoked');
    }
    if (record.expiresAt && record.expiresAt.getTime() <= at) {
      throw new AuthError('expired_credentials', 'API key expired');
    }
    if (at - (lastTouched.get(record.id) ?? 0) >= touchIntervalMs) {
      lastTouched.set(record.id, at);
      store.touch(record.id, new Date(at));
    }
    return principalOf(record);
  };

  return {
    verify(credential) {
      const sent = keyAsSent(credential);
      const parsed = (sent === undefined ? undefined : cache.matchOf(sent)) ?? keyFromCredential(credential);
      if (!parsed) throw new AuthError('invalid_credentials', 'Invalid API key');
      // A key sent in a header or as Bearer parsed only if it is exactly `mcpk_<id>_<secret>` (key-format.ts).
      const key = sent ?? `${API_KEY_PREFIX}${parsed.id}_${parsed.secret}`;
      const record = cache.get(parsed.id);
      return record instanceof Promise ? record.then((r) => checked(parsed, key, r)) : checked(parsed, key, record);
    },
  };
}
