/**
 * Refused requests (failed authentications, 429s, Host/Origin refusals, rate-limited /token calls)
 * logged without a line per request: the first refusal of each kind in a window is logged in full,
 * later ones of that kind are only counted, and when the window ends one summary line gives the
 * counts by kind and how many distinct addresses were refused. A flood of bad requests then writes a
 * few lines a minute, not one per request (45 MB a minute before), and the first line of each kind
 * still says exactly what happened.
 */
import type { FastifyBaseLogger } from 'fastify';

export interface Refusal {
  /** What was refused and why, e.g. "authentication failed: Invalid API key". Repeats are counted by it. */
  kind: string;
  /** The client address (request.ip), for the distinct-address count; absent when not known. */
  address?: string | undefined;
  level: 'info' | 'warn';
  message: string;
  fields?: Record<string, unknown>;
}

export interface RefusalLog {
  /** Logs the refusal on `log` when it is the first of its kind in this window; otherwise counts it. */
  refused(log: FastifyBaseLogger, refusal: Refusal): void;
  /** Writes the summary of the current window now (on shutdown), and starts a new window. */
  flush(): void;
}

// Bounds, so that a flood of made-up reasons or addresses cannot grow memory: kinds past the first
// 100 in a window are counted as "other", and addresses are counted up to 100,000 ("at least").
const MAX_KINDS = 100;
const MAX_ADDRESSES = 100_000;

export function createRefusalLog(logger: FastifyBaseLogger, options: { windowMs?: number | undefined } = {}): RefusalLog {
  const windowMs = options.windowMs ?? 60_000;
  let counts = new Map<string, number>();
  let addresses = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  function endWindow(): void {
    clearTimeout(timer);
    timer = undefined;
    let total = 0;
    for (const n of counts.values()) total += n;
    // Only when something was held back: a window in which every refusal was the first of its kind
    // has been logged in full already.
    if (total > counts.size) {
      logger.warn(
        {
          refusals: Object.fromEntries(counts),
          total,
          addresses: addresses.size,
          ...(addresses.size >= MAX_ADDRESSES ? { addressesAtLeast: true } : {}),
          windowSeconds: Math.round(windowMs / 1000),
        },
        'refused requests in this window, by kind (the first of each kind was logged in full)',
      );
    }
    counts = new Map();
    addresses = new Set();
  }

  return {
    refused(log, refusal) {
      const kind = counts.has(refusal.kind) || counts.size < MAX_KINDS ? refusal.kind : 'other';
      const seen = counts.get(kind) ?? 0;
      counts.set(kind, seen + 1);
      if (refusal.address !== undefined && addresses.size < MAX_ADDRESSES) addresses.add(refusal.address);
      if (seen === 0) log[refusal.level]({ ...refusal.fields, ip: refusal.address }, refusal.message);
      if (timer === undefined) {
        timer = setTimeout(endWindow, windowMs);
        timer.unref();
      }
    },
    flush: endWindow,
  };
}
