/**
 * Fetches and caches an issuer's JWKS for resource servers. Keys are looked up by `kid`.
 *
 * Stale-while-revalidate (RFC 5861's idea, applied to the key set): once the cached set is older than
 * `maxAgeMs`, a request whose kid is cached is verified with it at once and one background refresh is
 * started (deduplicated, rate-limited by the cooldown, bounded by the timeout), so a hung issuer never
 * holds a request. Only a request the cache cannot answer waits: an unknown kid (at most one refetch
 * per cooldown, so forged kids cannot make us hammer the issuer) or an empty cache (nothing fetched
 * yet). When the issuer is unreachable the last good key set keeps serving, however old.
 */
import { createPublicKey } from 'node:crypto';
import { AuthError } from '../errors.js';

export interface JwksClientOptions {
  /** The JWKS URL, or how to find it (an outside issuer's discovery: see issuer-discovery.ts). */
  url: string | (() => Promise<string>);
  /** Refresh the key set this often even when nothing is missing (default 10 minutes). */
  maxAgeMs?: number;
  /** At most one refetch for unknown kids per this interval (default 30 s). */
  cooldownMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  onRefreshFailed?: (error: unknown) => void;
}

export interface JwksClientStatus {
  /** Keys held now (the last good set, however old). */
  readonly keys: number;
  /** When the last successful fetch ended (ms since the epoch). */
  readonly fetchedAt: number | undefined;
  readonly lastAttemptAt: number | undefined;
  /** Why the latest attempt failed; undefined when it succeeded or none was made. */
  readonly lastError: unknown;
}

interface Jwk {
  kty?: string;
  kid?: string;
  use?: string;
  alg?: string;
  n?: string;
  e?: string;
}

export function createJwksClient(options: JwksClientOptions) {
  const maxAge = options.maxAgeMs ?? 10 * 60_000;
  const cooldown = options.cooldownMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;
  let keys = new Map<string, string>(); // kid -> SPKI PEM
  let fetchedAt = 0;
  let lastAttempt = 0;
  let inflight: Promise<void> | undefined;
  let lastError: unknown; // of the latest attempt; undefined once one succeeds

  async function refresh(): Promise<void> {
    lastAttempt = Date.now();
    const url = typeof options.url === 'string' ? options.url : await options.url();
    const response = await doFetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`JWKS endpoint answered HTTP ${response.status}`);
    const body = (await response.json()) as { keys?: Jwk[] };
    if (!Array.isArray(body.keys)) throw new Error('JWKS document has no keys array');
    const next = new Map<string, string>();
    for (const jwk of body.keys) {
      // Only RSA signing keys for RS256; anything else in the set is ignored, not trusted.
      if (jwk.kty !== 'RSA' || !jwk.kid || !jwk.n || !jwk.e) continue;
      if ((jwk.use && jwk.use !== 'sig') || (jwk.alg && jwk.alg !== 'RS256')) continue;
      const pem = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
      next.set(jwk.kid, pem.toString());
    }
    keys = next;
    fetchedAt = Date.now();
    lastError = undefined;
  }

  function refreshOnce(): Promise<void> {
    inflight ??= refresh()
      .catch((error) => {
        lastError = error;
        options.onRefreshFailed?.(error);
        if (keys.size === 0) throw error;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  const cooledDown = () => Date.now() - lastAttempt >= cooldown;
  const lookup = (kid: string | undefined) => (kid === undefined ? (keys.size === 1 ? [...keys.values()][0] : undefined) : keys.get(kid));

  /** A key not held yet: nothing fetched so far, or a kid the cached set does not have. */
  async function fetchKey(kid: string | undefined): Promise<string> {
    if (keys.size === 0) {
      try {
        await refreshOnce();
      } catch {
        throw new AuthError('temporarily_unavailable', "The issuer's signing keys cannot be fetched; try again shortly");
      }
    }
    let pem = lookup(kid);
    if (!pem && kid !== undefined && (inflight || cooledDown())) {
      // An unknown kid may be a key rotated in since the last fetch: wait for one (rate-limited) refetch.
      await refreshOnce().catch(() => undefined);
      pem = lookup(kid);
    }
    if (!pem) throw new AuthError('invalid_credentials', kid === undefined ? 'Token has no kid' : 'Token signed by an unknown key (kid)');
    return pem;
  }

  return {
    /**
     * The PEM for `kid` (or the only key when the token names none). Throws AuthError. A key already
     * held comes back as it is, not in a promise: that is nearly every call, and a promise there
     * cost each request its microtask turns.
     */
    getKey(kid: string | undefined): string | Promise<string> {
      if (keys.size > 0) {
        // Serve from the cache and refresh behind it; a failure is reported by onRefreshFailed.
        if (Date.now() - fetchedAt >= maxAge && cooledDown()) void refreshOnce().catch(() => undefined);
        const pem = lookup(kid);
        if (pem) return pem;
      }
      return fetchKey(kid);
    },
    /** Fetches now (e.g. at startup); resolves false instead of throwing when the issuer is down. */
    async prime(): Promise<boolean> {
      try {
        await refreshOnce();
        return keys.size > 0;
      } catch {
        return false;
      }
    },
    get size() {
      return keys.size;
    },
    /** What the client knows, without fetching (for readiness reports). */
    status(): JwksClientStatus {
      return { keys: keys.size, fetchedAt: fetchedAt || undefined, lastAttemptAt: lastAttempt || undefined, lastError };
    },
  };
}

export type JwksClient = ReturnType<typeof createJwksClient>;
