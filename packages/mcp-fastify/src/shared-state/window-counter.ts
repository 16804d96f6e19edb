/**
 * Counts events per key in fixed windows (the first event of a key starts its window): the failed
 * authentications per address, the /token requests per address and per client. With REDIS_URL the
 * count is shared by every replica, so N replicas do not multiply a limit by N; without it, or while
 * Redis cannot answer, the count is this process's own.
 *
 * The choice for an outage: limits fall back to each replica counting alone (the limit is then per
 * replica, at most N times the setting) rather than refusing every request or allowing every one.
 * Rate limits are a defence against floods and guessing, not an authorization rule; revocation, which
 * is, never falls back (it fails closed: packages/auth/src/record-cache.ts).
 */
import type { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's event counts in windows: every replica's with REDIS_URL, else this process's (createHttpApp). */
    windows: WindowCounter;
  }
}

export interface WindowCount {
  /** Events of the key in its current window, this one included. */
  readonly count: number;
  /** Milliseconds until the window ends. */
  readonly ttlMs: number;
  /** Whether the count is every replica's (Redis answered) or this process's alone. */
  readonly shared: boolean;
}

export interface WindowCounter {
  hit(key: string, windowMs: number): Promise<WindowCount>;
  readonly shared: boolean;
}

// INCR, and the window's expiry set by the key's first event: atomic, so two replicas counting the
// same key at once both count and neither restarts the window.
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/** Keys counted in memory at most; past it the oldest windows go first. */
const MAX_LOCAL_KEYS = 100_000;

function localCounter(now: () => number) {
  const windows = new Map<string, { count: number; endsAt: number }>();
  return (key: string, windowMs: number): WindowCount => {
    const at = now();
    const held = windows.get(key);
    if (held && held.endsAt > at) {
      held.count++;
      return { count: held.count, ttlMs: held.endsAt - at, shared: false };
    }
    windows.delete(key);
    if (windows.size >= MAX_LOCAL_KEYS) {
      for (const [old, w] of windows) {
        if (w.endsAt <= at || windows.size >= MAX_LOCAL_KEYS) windows.delete(old);
        else break;
      }
    }
    windows.set(key, { count: 1, endsAt: at + windowMs });
    return { count: 1, ttlMs: windowMs, shared: false };
  };
}

export interface WindowCounterOptions {
  /** The shared store; undefined counts in this process only. */
  redis?: Redis | undefined;
  /** Keeps one service's keys apart from another's on a shared Redis, e.g. "mcp-auth:jwt-server:". */
  prefix: string;
  now?: () => number;
}

export function createWindowCounter(options: WindowCounterOptions): WindowCounter {
  const local = localCounter(options.now ?? Date.now);
  const { redis, prefix } = options;
  if (!redis) return { shared: false, hit: async (key, windowMs) => local(key, windowMs) };
  return {
    shared: true,
    async hit(key, windowMs) {
      try {
        const [count, ttlMs] = (await redis.eval(HIT, 1, `${prefix}${key}`, windowMs)) as [number, number];
        return { count, ttlMs, shared: true };
      } catch {
        // Down, restarting or too slow (openRedis logs it once): count here meanwhile.
        return local(key, windowMs);
      }
    },
  };
}
