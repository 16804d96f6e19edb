/**
 * Limits credential guessing at the MCP endpoints without locking out the valid clients that share an
 * address with the guesser (everyone behind one NAT, office proxy or broken client).
 *
 * - Failed authentications (wrong, malformed, expired or revoked credentials) are counted per client
 *   address (`request.ip`, which only TRUST_PROXY's named proxies can change), IPv6 addresses per
 *   /64: one host or site usually holds a whole /64 and could otherwise take a new address per guess.
 *   Past `maxPerMinute` the address is over its limit until its minute is over.
 * - From an address over its limit, a credential that verified recently (from any address) is still
 *   verified and served: it goes through the verifier as always, so revocation and expiry apply at
 *   once. Any other credential gets 429 with Retry-After without any verification work, so guessing
 *   stays at `maxPerMinute` per address and costs nothing past it.
 * - So a credential that has not verified yet (a key just created, a token just renewed) gets 429 from
 *   an address over its limit until the minute is over; from any other address it works, and once it
 *   has verified it works from the limited address too.
 *
 * With REDIS_URL the failures of an address are counted by every replica together: each failure here
 * is also counted in Redis, and the answer (every replica's count, and when that window ends) raises
 * this replica's own. So a guesser spreading its tries over N replicas is limited after
 * `maxPerMinute` failures in all, plus at most one more per other replica (the first one each sees
 * past the limit), not N times the limit. The check on each request stays in memory: Redis is asked
 * only when a credential fails. While Redis cannot answer, each replica counts alone
 * (shared-state/window-counter.ts says why).
 *
 * Failures are not also counted per claimed identity (API key id, token subject): keys carry 256-bit
 * random secrets and tokens a signature, so guessing one identity's secret is hopeless at any rate,
 * while an identity limit would let anyone who knows a key id (they are public: lists, logs) refuse
 * that key's new credentials.
 */
import type { Credential } from '@mcp-auth/auth';
import type { WindowCounter } from '../shared-state/window-counter.js';

export interface FailedAuthLimiter {
  /**
   * Seconds until `address` may try again when this request must be refused unverified (the address
   * is over its limit and the credential has not verified recently); undefined to verify it.
   */
  retryAfter(address: string, credential: Credential | undefined): number | undefined;
  /** A credential from `address` failed verification (or did not parse). */
  failed(address: string, credential: Credential | undefined): void;
  /** A credential verified. */
  verified(credential: Credential): void;
}

export interface FailedAuthLimiterOptions {
  maxPerMinute: number;
  /** Counts shared by every replica (REDIS_URL); undefined counts in this process only. */
  shared?: WindowCounter | undefined;
  now?: () => number;
}

const WINDOW_MS = 60_000;
// Addresses with failures in the current minute: past this many the oldest window is dropped first
// (an attacker with that many addresses has that many budgets anyway).
const MAX_ADDRESSES = 100_000;
// Credentials that verified are remembered at least 10 minutes after their last success (unless
// 5,000 others verify meanwhile), at most 10,000 in all (about 10 MB of 1 kB tokens). The same keys and tokens sit in the verifiers'
// own caches already.
const REMEMBER_MS = 10 * 60_000;
const REMEMBER_MAX = 5_000;

/**
 * What failures are counted under: an IPv4 address (or IPv4-mapped IPv6, which is one IPv4 address)
 * as it is, an IPv6 address as its /64 prefix, e.g. "2001:db8:0:1::/64".
 */
export function addressKey(ip: string): string {
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return ip;
  const zone = ip.indexOf('%');
  const address = zone === -1 ? ip : ip.slice(0, zone);
  const gap = address.indexOf('::');
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  let groups: string[];
  if (gap === -1) groups = groupsOf(address);
  else {
    const head = groupsOf(address.slice(0, gap));
    const tail = groupsOf(address.slice(gap + 2));
    // An embedded IPv4 address (RFC 4291 §2.2) fills two groups.
    const tailGroups = tail.length + (tail.at(-1)?.includes('.') ? 1 : 0);
    groups = [...head, ...Array<string>(Math.max(0, 8 - head.length - tailGroups)).fill('0'), ...tail];
  }
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** The presented credential as one string: the same credential always gives the same key. */
function credentialKey(credential: Credential): string {
  switch (credential.kind) {
    case 'bearer':
      return credential.token;
    case 'api-key-header':
      return credential.key;
    case 'basic':
      return `basic:${credential.username}:${credential.password}`;
  }
}

/**
 * Two generations of a set: a key added lands in the current one; when that is full or older than
 * `ageMs` it becomes the previous one and the oldest is dropped. Membership costs one or two Set
 * lookups and no timestamps; a key lives at least one generation after it was last added, and
 * leaves after two once other keys keep arriving.
 */
class RecentSet {
  private current = new Set<string>();
  private previous = new Set<string>();
  private startedAt: number;

  constructor(
    private readonly ageMs: number,
    private readonly max: number,
    private readonly now: () => number,
  ) {
    this.startedAt = now();
  }

  has(key: string): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  add(key: string): void {
    if (this.current.has(key)) return; // the success path for a credential in use: one lookup
    const at = this.now();
    if (this.current.size >= this.max || at - this.startedAt >= this.ageMs) {
      this.previous = this.current;
      this.current = new Set();
      this.startedAt = at;
    }
    this.current.add(key);
  }

  delete(key: string): void {
    this.current.delete(key);
    this.previous.delete(key);
  }
}

interface FailureWindow {
  failures: number;
  endsAt: number;
}

export function createFailedAuthLimiter(options: FailedAuthLimiterOptions): FailedAuthLimiter {
  const { maxPerMinute, shared, now = Date.now } = options;
  const windows = new Map<string, FailureWindow>();
  const verified = new RecentSet(REMEMBER_MS, REMEMBER_MAX, now);

  /** Seconds left in the address's window when it is over its limit. */
  function lockedFor(address: string): number | undefined {
    if (windows.size === 0) return undefined; // nearly every request: no failures anywhere, done
    const key = addressKey(address);
    const window = windows.get(key);
    if (window === undefined || window.failures < maxPerMinute) return undefined;
    const left = window.endsAt - now();
    if (left <= 0) {
      windows.delete(key);
      return undefined;
    }
    return Math.ceil(left / 1000);
  }

  /** Opens the address's window if it has none (dropping the oldest when full); returns it. */
  function windowOf(key: string, at: number): FailureWindow {
    const window = windows.get(key);
    if (window !== undefined && window.endsAt > at) return window;
    windows.delete(key);
    if (windows.size >= MAX_ADDRESSES) {
      for (const [oldKey, old] of windows) {
        if (old.endsAt <= at || windows.size >= MAX_ADDRESSES) windows.delete(oldKey);
        else break;
      }
    }
    const fresh = { failures: 0, endsAt: at + WINDOW_MS };
    windows.set(key, fresh);
    return fresh;
  }
  function countHere(key: string): void {
    windowOf(key, now()).failures++;
  }
  /** Every replica's count for the address, and when its window ends, as Redis answered. */
  function raiseTo(key: string, failures: number, ttlMs: number): void {
    const at = now();
    const window = windowOf(key, at);
    window.failures = Math.max(window.failures, failures);
    window.endsAt = at + ttlMs;
  }

  return {
    retryAfter(address, credential) {
      const wait = lockedFor(address);
      if (wait === undefined) return undefined;
      return credential !== undefined && verified.has(credentialKey(credential)) ? undefined : wait;
    },
    failed(address, credential) {
      if (credential !== undefined) verified.delete(credentialKey(credential));
      const key = addressKey(address);
      countHere(key);
      if (shared)
        void shared.hit(`auth-failures:${key}`, WINDOW_MS).then((all) => {
          if (all.shared) raiseTo(key, all.count, all.ttlMs);
        });
    },
    verified(credential) {
      verified.add(credentialKey(credential));
    },
  };
}
