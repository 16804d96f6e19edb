/**
 * Credential records (API keys, OAuth clients) kept in memory between requests: a database read per
 * request was most of what checking a credential cost. The cache is dropped at once when a record
 * changes through the same store, and when the store reports a write by another process (checked at
 * most every `recheckMs`, 100 ms by default), so a key or client revoked by a command is refused
 * within that time.
 *
 * It also remembers which presented secrets matched their record (as fast-jwt remembers verified
 * tokens), so the next request with the same secret skips the hash: in a loaded server an OpenSSL
 * digest cost 5-9 µs, more than everything else in authentication. Looking a presented secret up
 * hashes the whole string with V8's per-process seed and compares strings only on a hash match, so
 * its timing says nothing about a guess; a secret not seen since the cache was last dropped takes the
 * constant-time path. What can change without a write (expiry) is checked by callers on every request.
 */

/**
 * How often at most a cache asks its store about other processes' writes. Admin commands wait this
 * long after a write that takes access away, so that when they say "now" it is true at every server.
 */
export const RECORD_RECHECK_MS = 100;

/** What a store tells a cache about changes (see ApiKeyStore and OAuthClientStore). */
export interface ChangeTracking {
  /** Writes made through this store object; cheap to read on every request. */
  readonly localWrites: number;
  /** Changes when another process has written; a database read, so read rarely. */
  externalVersion(): number;
}

/**
 * Whether another process has written since the last look: reads `version` (a database read) at most
 * every `recheckMs`, and answers true once per change. The record cache and the revocation list
 * share it, so both learn of other processes' writes within the same bound.
 */
export function externalChangeCheck(
  version: () => number,
  options: { recheckMs?: number | undefined; now?: (() => number) | undefined } = {},
): () => boolean {
  const { recheckMs = RECORD_RECHECK_MS, now = Date.now } = options;
  let seen = version();
  let checkedAt = now();
  return () => {
    const at = now();
    if (at - checkedAt < recheckMs) return false;
    checkedAt = at;
    const current = version();
    if (current === seen) return false;
    seen = current;
    return true;
  };
}

export interface RecordCacheOptions {
  /** How often at most to ask the store whether another process changed it (default 100 ms). */
  recheckMs?: number | undefined;
  /** Most records (and matched secrets) kept; the cache starts over when it is full (default 10,000). */
  size?: number | undefined;
  now?: (() => number) | undefined;
}

export interface RecordCache<T, M> {
  /** The record for `id`, from memory unless the store changed since it was read. */
  get(id: string): T | undefined;
  /** What `presented` (an id and its secret, as one string) matched before, if it did since the last drop. */
  matchOf(presented: string): M | undefined;
  rememberMatch(presented: string, match: M): void;
}

export function createRecordCache<T, M = true>(
  store: ChangeTracking,
  find: (id: string) => T | undefined,
  options: RecordCacheOptions = {},
): RecordCache<T, M> {
  const { recheckMs = RECORD_RECHECK_MS, size = 10_000, now = Date.now } = options;
  const records = new Map<string, T>();
  const matched = new Map<string, M>();
  const drop = () => {
    records.clear();
    matched.clear();
  };
  let writes = store.localWrites;
  const externallyChanged = externalChangeCheck(() => store.externalVersion(), { recheckMs, now });

  function dropIfChanged(): void {
    if (store.localWrites !== writes) {
      writes = store.localWrites;
      drop();
    }
    if (externallyChanged()) drop();
  }

  return {
    get(id) {
      dropIfChanged();
      let record = records.get(id);
      if (record === undefined) {
        record = find(id);
        if (record !== undefined) {
          if (records.size >= size) drop();
          records.set(id, record);
        }
      }
      return record;
    },
    matchOf: (presented) => matched.get(presented),
    rememberMatch(presented, match) {
      if (matched.size >= size) matched.clear();
      matched.set(presented, match);
    },
  };
}
