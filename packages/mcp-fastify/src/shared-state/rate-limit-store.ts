/**
 * @fastify/rate-limit's store over the app's WindowCounter, so that /token's limits per address and
 * per client hold across replicas with REDIS_URL (and fall back as the counter does). The plugin's own
 * Redis store would refuse every request (or, with skipOnError, allow every one) while Redis is down.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { WindowCounter } from './window-counter.js';

type Done = Parameters<FastifyRateLimitStore['incr']>[1];

export function windowCounterStore(counter: WindowCounter): FastifyRateLimitStoreCtor {
  return class WindowCounterStore implements FastifyRateLimitStore {
    private readonly prefix: string;

    // The plugin constructs the store with its settings, and child() with a route's key prefix.
    constructor(prefix?: unknown) {
      this.prefix = typeof prefix === 'string' ? prefix : 'rate-limit:';
    }

    incr(key: string, done: Done, timeWindow: number): void {
      counter.hit(`${this.prefix}${key}`, timeWindow).then(
        (r) => done(null, { current: r.count, ttl: r.ttlMs }),
        (error: Error) => done(error),
      );
    }

    child(route: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      // What the plugin passes holds the route as routeInfo (its own RedisStore reads it the same way).
      const info = (route as { routeInfo?: { method?: string; url?: string } }).routeInfo;
      return new WindowCounterStore(`${this.prefix}${info?.method ?? ''}${info?.url ?? ''}-`);
    }
  };
}
