/**
 * The connection to REDIS_URL, set up to fail fast rather than wait: a command sent while the
 * connection is down is refused at once (no offline queue), one that Redis does not answer within
 * COMMAND_TIMEOUT_MS is abandoned, and the client reconnects by itself in the background. Callers
 * then fall back to what they can do alone (window-counter.ts). Losing and finding Redis again are
 * each logged once, not once per command.
 */

import type { FastifyBaseLogger } from 'fastify';
import type { Redis, RedisOptions } from 'ioredis';

export const COMMAND_TIMEOUT_MS = 500;
export const CONNECT_TIMEOUT_MS = 2_000;

/** REDIS_URL for log lines: scheme, host, port and database, never the password. */
export function describeRedis(url: string): string {
  const u = new URL(url);
  return `Redis at ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname.length > 1 ? u.pathname : ''}`;
}

/** What losing Redis means to the connection's user, said once when it goes and once when it is back. */
export interface RedisPurpose {
  readonly lost: string;
  readonly back: string;
}

/** The app's connection (createHttpApp): windowed counts. */
export const FOR_LIMITS: RedisPurpose = {
  lost: 'Redis cannot be reached: each replica limits on its own until it is back (see README, REDIS_URL)',
  back: 'Redis is reachable again: limits are shared by every replica again',
};

export async function openRedis(
  url: string,
  log: Pick<FastifyBaseLogger, 'warn' | 'info'>,
  purpose: RedisPurpose = FOR_LIMITS,
  overrides: Pick<RedisOptions, 'autoResubscribe'> = {},
): Promise<Redis> {
  // Loaded only when REDIS_URL is set: a server without it does not carry the client's code (about
  // 3 MB of resident and private memory of an apikey-server after 10,000 calls, measured).
  const { Redis } = await import('ioredis');
  const where = describeRedis(url);
  let reachable: boolean | undefined;
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Tries again every 0.2 s, then at most every 2 s, for as long as it takes.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...overrides,
  });
  redis.on('ready', () => {
    if (reachable === false) log.info({ redis: where }, purpose.back);
    reachable = true;
  });
  const lost = (fields: { code?: string | undefined; reason: string }) => {
    if (reachable === false) return;
    reachable = false;
    log.warn({ redis: where, ...fields }, purpose.lost);
  };
  // A connection that closes (Redis stopped or restarting) is lost at once; its reconnection attempts
  // then fail with 'error', which a first connection that fails reports too.
  redis.on('close', () => lost({ reason: 'the connection closed' }));
  redis.on('error', (error: Error & { code?: string }) => lost({ code: error.code, reason: error.message }));
  return redis;
}

/** Closes the connection at shutdown, without reporting Redis as lost. */
export async function closeRedis(redis: Redis): Promise<void> {
  redis.removeAllListeners('close');
  await redis.quit().catch(() => redis.disconnect());
}
