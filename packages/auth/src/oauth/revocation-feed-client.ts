/**
 * A resource server's copy of the issuer's revocation feed (revocation-feed.ts), polled in the
 * background next to the JWKS: requests only read the copy in memory, never wait for the issuer.
 * A failed poll keeps the last list (a revocation once seen is never forgotten while its entry is
 * listed), and `status()` says how old the copy is, for logs and readiness.
 *
 * Before the first successful poll nothing is known to be revoked: a resource server that cannot reach
 * the issuer accepts what the JWKS lets it verify, and says its list is missing (onPollFailed).
 */
import { parseRevocationFeed } from './revocation-feed.js';
import type { TokenRevocations } from './token-revocations.js';

export interface RevocationFeedClientOptions {
  url: string;
  /** Time between the end of one poll and the start of the next. */
  pollMs: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** A poll failed; `lastSuccessAt` is when the copy in use was fetched (undefined: never). */
  onPollFailed?: (error: Error, lastSuccessAt: number | undefined) => void;
  /** A poll succeeded after failures. */
  onRecovered?: () => void;
}

export interface RevocationFeedStatus {
  /** When the list in use was fetched (ms since the epoch); undefined before the first success. */
  readonly lastSuccessAt: number | undefined;
  /** How old the list in use is (ms); undefined before the first success. */
  readonly ageMs: number | undefined;
  /** Why the last poll failed, when it did. */
  readonly lastError: string | undefined;
  readonly revokedClients: number;
  readonly revokedTokens: number;
}

export interface RevocationFeedClient extends TokenRevocations {
  /** Polls now and then every `pollMs` until stop(). */
  start(): void;
  stop(): void;
  /** One poll; resolves whether it succeeded (never rejects). A poll already under way is shared. */
  poll(): Promise<boolean>;
  /**
   * A poll that starts after this call, for a change announced just now (a revocation nudge): a poll
   * already under way may have read the feed before the change, so another follows it. Calls made
   * meanwhile share that one.
   */
  refresh(): Promise<boolean>;
  status(): RevocationFeedStatus;
}

export function createRevocationFeedClient(options: RevocationFeedClientOptions): RevocationFeedClient {
  const doFetch = options.fetch ?? fetch;
  let clients = new Set<string>();
  let tokens = new Set<string>();
  let lastSuccessAt: number | undefined;
  let lastError: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let inflight: Promise<boolean> | undefined;
  let followUp: Promise<boolean> | undefined;

  async function fetchOnce(): Promise<boolean> {
    try {
      const response = await doFetch(options.url, {
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        headers: { accept: 'application/json' },
      });
      if (!response.ok) throw new Error(`revocation feed answered HTTP ${response.status}`);
      const feed = parseRevocationFeed(await response.json());
      clients = new Set(feed.clients.map((c) => c.client_id));
      tokens = new Set(feed.tokens.map((t) => t.jti));
      lastSuccessAt = Date.now();
      if (lastError !== undefined) options.onRecovered?.();
      lastError = undefined;
      return true;
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      lastError = failure.message;
      options.onPollFailed?.(failure, lastSuccessAt);
      return false;
    }
  }

  const poll = () => {
    inflight ??= fetchOnce().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  const refresh = () => {
    if (!inflight) return poll();
    // `inflight` is cleared by its own finally, before this runs: poll() starts a new one.
    followUp ??= inflight.then(() => {
      followUp = undefined;
      return poll();
    });
    return followUp;
  };

  const schedule = () => {
    if (!running) return;
    timer = setTimeout(() => void poll().finally(schedule), options.pollMs);
    timer.unref();
  };

  return {
    isRevoked: (token) => clients.has(token.clientId) || (token.jti !== undefined && tokens.has(token.jti)),
    start() {
      if (running) return;
      running = true;
      void poll().finally(schedule);
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
    poll,
    refresh,
    status: () => ({
      lastSuccessAt,
      ageMs: lastSuccessAt === undefined ? undefined : Date.now() - lastSuccessAt,
      lastError,
      revokedClients: clients.size,
      revokedTokens: tokens.size,
    }),
  };
}
