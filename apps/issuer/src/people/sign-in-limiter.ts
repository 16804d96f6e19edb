/**
 * Limits password guessing at the login page, per account and per address, without locking people
 * out (OWASP's "device cookie" approach):
 * - failed sign-ins are counted per address (IPv6 per /64, as the MCP endpoints count them) and per
 *   account, over a sliding ten minutes;
 * - past the address limit, that address may not try any account; past the account limit, nobody may
 *   try that account, from anywhere;
 * - except from a browser the person has signed in from before (a signed known-device cookie for that
 *   account): it is never limited for that account. So an attacker can stop new browsers from trying
 *   an account for ten minutes, but not its owner on their usual browser, and not anyone else.
 */
import { addressKey } from '@mcp-auth/mcp-fastify';

export interface SignInLimiter {
  /** Seconds to wait before this attempt may be checked; undefined when it may go ahead. */
  retryAfter(attempt: { address: string; username: string; knownDevice: boolean }): number | undefined;
  failed(attempt: { address: string; username: string }): void;
  succeeded(attempt: { address: string; username: string }): void;
}

export interface SignInLimits {
  readonly perAddress: number;
  readonly perAccount: number;
  readonly windowMs?: number;
  readonly now?: () => number;
}

/** Keys tracked at most, oldest dropped first: a flood of made-up usernames cannot grow memory without bound. */
const MAX_KEYS = 50_000;

export function createSignInLimiter(limits: SignInLimits): SignInLimiter {
  const windowMs = limits.windowMs ?? 10 * 60_000;
  const now = limits.now ?? Date.now;
  const failures = new Map<string, number[]>();

  const recent = (key: string): number[] => {
    const cutoff = now() - windowMs;
    const times = (failures.get(key) ?? []).filter((t) => t > cutoff);
    if (times.length === 0) failures.delete(key);
    else failures.set(key, times);
    return times;
  };
  const waitFor = (times: number[], limit: number) =>
    times.length < limit ? undefined : Math.max(1, Math.ceil(((times[times.length - limit] ?? now()) + windowMs - now()) / 1000));
  const record = (key: string) => {
    const times = recent(key);
    times.push(now());
    failures.delete(key);
    failures.set(key, times);
    if (failures.size > MAX_KEYS) failures.delete(failures.keys().next().value as string);
  };
  const keys = (attempt: { address: string; username: string }) => ({
    address: `address:${addressKey(attempt.address)}`,
    account: `account:${attempt.username.toLowerCase()}`,
  });

  return {
    retryAfter(attempt) {
      if (attempt.knownDevice) return undefined;
      const { address, account } = keys(attempt);
      const waits = [waitFor(recent(address), limits.perAddress), waitFor(recent(account), limits.perAccount)].filter(
        (w): w is number => w !== undefined,
      );
      return waits.length ? Math.max(...waits) : undefined;
    },
    failed(attempt) {
      const { address, account } = keys(attempt);
      record(address);
      record(account);
    },
    succeeded() {
      // Earlier failures stay counted: a success does not reset the address's budget, or one valid
      // account would let an attacker guess at others without limit.
    },
  };
}
