/**
 * With REDIS_URL, a revocation at the issuer reaches resource servers at once instead of at their next
 * poll of /revocations (REVOCATION_POLL_SECONDS). Once a revocation has committed, the issuer (or its
 * `clients` command) publishes a nudge, and every resource server subscribed fetches its feed again.
 *
 * A nudge carries nothing to trust: the feed, fetched from the issuer as always, stays the one source
 * of what is revoked, so whoever can publish on this Redis can at most make servers poll. Losing Redis
 * loses only the speed: polling every REVOCATION_POLL_SECONDS goes on, and a subscriber that connects
 * again polls at once for what it may have missed. A Redis outage never lets a revoked token through
 * for longer than the poll interval.
 */
import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CONNECT_TIMEOUT_MS, closeRedis, openRedis, type RedisPurpose } from './redis-client.js';

/**
 * One channel for every issuer on this Redis, not one per issuer URL: a `clients` command run without
 * the server's PORT or PUBLIC_URL would work out another issuer URL and nudge nobody. A nudge from
 * another issuer costs a server one fetch of its own feed; the message (the publisher's issuer) is
 * not read.
 */
export const REVOCATION_CHANNEL = 'mcp-auth:revocations';

/** Publishes a nudge; resolves whether it was sent, and never throws (a nudge lost is caught by the next poll). */
export async function publishRevocationNudge(redis: Redis, issuer: string, log: Pick<Logger, 'warn'>): Promise<boolean> {
  try {
    await redis.publish(REVOCATION_CHANNEL, issuer);
    return true;
  } catch (error) {
    log.warn(
      { reason: (error as Error).message },
      'could not announce a revocation on Redis: resource servers see it at their next poll of /revocations',
    );
    return false;
  }
}

/** The nudges an issuer publishes once its revocations commit: none until `use` gives it the app's Redis. */
export function revocationAnnouncer(issuer: string, log: Pick<Logger, 'warn'>) {
  let redis: Redis | undefined;
  return {
    /** After each committed revocation (the stores' onRevoked). */
    announce(): void {
      if (redis) void publishRevocationNudge(redis, issuer, log);
    },
    use(connection: Redis | undefined): void {
      redis = connection;
    },
  };
}

const FOR_ONE_ANNOUNCEMENT: RedisPurpose = {
  lost: 'Redis cannot be reached: resource servers see this revocation at their next poll of /revocations',
  back: 'Redis is reachable',
};

/**
 * A nudge from a process that does not keep a connection (the `clients` command): connects, publishes
 * and closes. Resolves whether it was sent; a failure is logged, never thrown (the poll catches up).
 */
export async function announceRevocationOnce(url: string, issuer: string, log: Pick<Logger, 'warn' | 'info'>): Promise<boolean> {
  const redis = await openRedis(url, log, FOR_ONE_ANNOUNCEMENT);
  try {
    // A connection that fails emits 'error' (once() rejects), which openRedis has already reported.
    if (redis.status !== 'ready') await once(redis, 'ready', { signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) });
    return await publishRevocationNudge(redis, issuer, log);
  } catch (error) {
    if ((error as Error).name === 'AbortError') log.warn({ reason: 'Redis did not answer in time' }, FOR_ONE_ANNOUNCEMENT.lost);
    return false;
  } finally {
    await closeRedis(redis);
  }
}

const FOR_NUDGES: RedisPurpose = {
  lost: 'Redis cannot be reached: revocations reach this server at its next poll of /revocations until it is back',
  back: 'Redis is reachable again: revocations reach this server at once again',
};

export interface RevocationNudgeSubscription {
  close(): Promise<void>;
}

/**
 * Calls `onNudge` for every nudge, and once each time the subscription is
 * made, the first time and after every reconnection (nudges sent while it was down are lost), so what
 * was missed is fetched. A connection of its own: a subscribed Redis connection can do nothing else.
 */
export async function subscribeToRevocationNudges(options: {
  url: string;
  onNudge: () => void;
  log: Pick<Logger, 'warn' | 'info'>;
}): Promise<RevocationNudgeSubscription> {
  // Subscribed here on every 'ready' rather than by ioredis's autoResubscribe, which sends SUBSCRIBE
  // after announcing 'ready': the catch-up poll must start once the subscription is in place, or a
  // revocation in between would wait for the next poll.
  const subscriber = await openRedis(options.url, options.log, FOR_NUDGES, { autoResubscribe: false });
  subscriber.on('message', (channel: string) => {
    if (channel === REVOCATION_CHANNEL) options.onNudge();
  });
  const subscribe = () => {
    subscriber
      .subscribe(REVOCATION_CHANNEL)
      .then(options.onNudge, (error: Error) =>
        options.log.warn(
          { reason: error.message },
          'could not subscribe to revocation nudges: polling /revocations only until Redis is back',
        ),
      );
  };
  subscriber.on('ready', subscribe);
  if (subscriber.status === 'ready') subscribe();
  return { close: () => closeRedis(subscriber) };
}
