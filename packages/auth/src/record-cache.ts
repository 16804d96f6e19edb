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

/** A value, or a promise of it: stores on SQLite can answer at once, stores on PostgreSQL cannot. */
export type Awaitable<T> = T | Promise<T>;

/** What a store tells a cache about changes (see ApiKeyStore and OAuthClientStore). */
export interface ChangeTracking {
  /** Writes made through this store object; cheap to read on every request. */
  readonly localWrites: number;
  /** Changes when another process has written; a database read, so read rarely. */
  externalVersion(): Awaitable<number>;
}

/** A store that answers at once (an embedded SQLite file read synchronously): its cache does too. */
export interface SyncChangeTracking extends ChangeTracking {
  externalVersion(): number;
}

export interface ChangeCheckOptions {
  recheckMs?: number | undefined;
  now?: (() => number) | undefined;
}

/**
 * Whether another process has written since the last look: reads `version` (a database read) at most
 * every `recheckMs`, and answers true once per change. The record cache and the revocation list
 * share it, so both learn of other processes' writes within the same bound.
 *
 * A version that comes as a promise (a shared database) is waited for: a request that arrives once
 * the interval is over is answered only after the look, never from what may be stale, and requests
 * that arrive meanwhile wait for the same look. A look that fails (the database is down) rejects
 * every waiter with its error and is tried again by the next request: with no way to learn of a
 * revocation, nothing is answered from memory (fail closed).
 */
export function externalChangeCheck(version: () => number, options?: ChangeCheckOptions): () => boolean;
export function externalChangeCheck(version: () => Awaitable<number>, options?: ChangeCheckOptions): () => Awaitable<boolean>;
export function externalChangeCheck(version: () => Awaitable<number>, options: ChangeCheckOptions = {}): () => Awaitable<boolean> {
  const { recheckMs = RECORD_RECHECK_MS, now = Date.now } = options;
  // Unknown until the first look has answered (the first version is no change).
  let seen: number | undefined;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let looking: Promise<boolean> | undefined;
  const settle = (current: number, at: number): boolean => {
    checkedAt = at;
    const changed = seen !== undefined && current !== seen;
    seen = current;
    return changed;
  };
  /** Reads the version; `at` is when the look began, so what was committed before it is seen. */
  const look = (at: number): Awaitable<boolean> => {
    const current = version();
    if (typeof current === 'number') return settle(current, at);
    looking = current
      .then((v) => settle(v, at))
      .finally(() => {
        looking = undefined;
      });
    return looking;
  };
  // The first look starts now; callers that come while it runs wait for it, and a failure of it is
  // theirs to see (nobody may be waiting, hence the empty handler).
  const first = look(now());
  if (first instanceof Promise) first.catch(() => {});
  return () => {
    if (looking) return looking;
    const at = now();
    if (at - checkedAt < recheckMs) return false;
    return look(at);
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
  /**
   * The record for `id`, from memory unless the store changed since it was read: at once when it is
   * held and no look at the store is due, otherwise once the store has answered.
   */
  get(id: string): Awaitable<T | undefined>;
  /** What `presented` (an id and its secret, as one string) matched before, if it did since the last drop. */
  matchOf(presented: string): M | undefined;
  rememberMatch(presented: string, match: M): void;
}

/** The cache of a store that answers at once: `get` does too. */
export interface SyncRecordCache<T, M> extends RecordCache<T, M> {
  get(id: string): T | undefined;
}

export function createRecordCache<T, M = true>(
  store: SyncChangeTracking,
  find: (id: string) => T | undefined,
  options?: RecordCacheOptions,
): SyncRecordCache<T, M>;
export function createRecordCache<T, M = true>(
  store: ChangeTracking,
  find: (id: string) => Awaitable<T | undefined>,
  options?: RecordCacheOptions,
): RecordCache<T, M>;
export function createRecordCache<T, M = true>(
  store: ChangeTracking,
  find: (id: string) => Awaitable<T | undefined>,
  options: RecordCacheOptions = {},
): RecordCache<T, M> {
  const { recheckMs = RECORD_RECHECK_MS, size = 10_000, now = Date.now } = options;
  const records = new Map<string, T>();
  const matched = new Map<string, M>();
  // Bumped by every drop: a read that began before a drop must not put what it read back.
  let generation = 0;
  const drop = () => {
    records.clear();
    matched.clear();
    generation++;
  };
  let writes = store.localWrites;
  const externallyChanged = externalChangeCheck(() => store.externalVersion(), { recheckMs, now });

  const remember = (id: string, record: T | undefined, readIn: number): T | undefined => {
    if (record !== undefined && readIn === generation) {
      if (records.size >= size) drop();
      records.set(id, record);
    }
    return record;
  };

  const lookup = (id: string): Awaitable<T | undefined> => {
    const held = records.get(id);
    if (held !== undefined) return held;
    const readIn = generation;
    const found = find(id);
    return found instanceof Promise ? found.then((record) => remember(id, record, readIn)) : remember(id, found, readIn);
  };

  return {
    get(id) {
      if (store.localWrites !== writes) {
        writes = store.localWrites;
        drop();
      }
      const changed = externallyChanged();
      if (changed === true) drop();
      else if (changed !== false)
        return changed.then((c) => {
          if (c) drop();
          return lookup(id);
        });
      return lookup(id);
    },
    matchOf: (presented) => matched.get(presented),
    rememberMatch(presented, match) {
      if (matched.size >= size) matched.clear();
      matched.set(presented, match);
    },
  };
}
