/**
 * Verifies API keys presented as `X-API-Key: <key>`, `Authorization: Bearer <key>` or
 * `Authorization: Basic` (user = key and empty password, or user = `mcpk_<id>` and password = secret,
 * or any user and password = key). The secret is hashed and compared in constant time against the
 * stored hash; unknown ids get a comparison too, so timing says nothing about which ids exist.
 *
 * Known records are cached in memory: a database read per request was most of this method's cost. The
 * cache is dropped at once when a key changes through the same store, and when the store reports a
 * write by another process (checked at most every `recheckMs`, 100 ms by default), so a key revoked
 * by the `keys` command is refused within that time.
 *
 * A presented key whose hash matched its record is remembered beside the record (as fast-jwt remembers
 * verified tokens), so the next request with the same key skips the SHA-256: in a loaded server a
 * digest through OpenSSL cost 5-9 µs, most of what authentication cost. Looking a presented key up in
 * that set hashes the whole string with V8's per-process seed and compares strings only on a hash
 * match, so its timing says nothing about a guess. A key not seen since the cache was last dropped
 * takes the constant-time path; revocation and expiry are checked on every request either way.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Credential } from '../credentials.js';
import { AuthError } from '../errors.js';
import type { Principal } from '../principal.js';
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

export function createApiKeyVerifier(options: ApiKeyVerifierOptions): Verifier {
  const { store, touchIntervalMs = 60_000, recheckMs = 100, cacheSize = 10_000, now = Date.now } = options;
  const lastTouched = new Map<string, number>();
  const cache = new Map<string, ApiKeyRecord>();
  /** Presented keys (`<id>_<secret>`) that matched their cached record; dropped with the cache. */
  const matched = new Set<string>();
  const dropCache = () => {
    cache.clear();
    matched.clear();
  };
  let version = store.externalVersion();
  let writes = store.localWrites;
  let checkedAt = now();

  function lookup(id: string): ApiKeyRecord | undefined {
    if (store.localWrites !== writes) {
      writes = store.localWrites;
      dropCache();
    }
    const at = now();
    if (at - checkedAt >= recheckMs) {
      checkedAt = at;
      const current = store.externalVersion();
      if (current !== version) {
        version = current;
        dropCache();
      }
    }
    let record = cache.get(id);
    if (!record) {
      record = store.findById(id);
      if (record) {
        if (cache.size >= cacheSize) dropCache();
        cache.set(id, record);
      }
    }
    return record;
  }

  return {
    verify(credential) {
      const parsed = keyFromCredential(credential);
      if (!parsed) throw new AuthError('invalid_credentials', 'Invalid API key');
      const record = lookup(parsed.id);
      const presentedKey = `${parsed.id}_${parsed.secret}`;
      if (!record || !matched.has(presentedKey)) {
        const presented = hashApiKeySecret(parsed.id, parsed.secret);
        const matches = timingSafeEqual(presented, record ? record.secretHash : DUMMY_HASH);
        if (!record || !matches) throw new AuthError('invalid_credentials', 'Invalid API key');
        if (matched.size >= cacheSize) matched.clear();
        matched.add(presentedKey);
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
      return {
        id: `apikey:${record.id}`,
        method: 'api-key',
        subject: record.id,
        clientId: record.id,
        displayName: record.name,
        scopes: [],
        expiresAt: record.expiresAt ? Math.floor(record.expiresAt.getTime() / 1000) : undefined,
      } satisfies Principal;
    },
  };
}
