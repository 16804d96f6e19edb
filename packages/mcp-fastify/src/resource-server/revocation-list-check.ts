/**
 * Readiness of a resource server that polls its issuer's revocation feed. Not ready before the first
 * list arrives: until then a revoked token would be accepted. Once it has a list it stays ready when
 * polls fail (the last list stays in force), with a warning saying how old the list is once it has
 * missed a few polls. Reads the feed client's state only, so /ready never waits on the issuer.
 */
import type { RevocationFeedStatus } from '@mcp-auth/auth';
import type { CheckResult } from '../http/readiness.js';

/** Polls missed before the list's age is worth a warning. */
const STALE_AFTER_POLLS = 3;

export function revocationListCheck(
  feed: { status(): RevocationFeedStatus },
  settings: { url: string; pollMs: number },
): () => CheckResult {
  return () => {
    const { ageMs, lastError, revokedClients, revokedTokens } = feed.status();
    if (ageMs === undefined) {
      return {
        ok: false,
        reason: `no revocation list from ${settings.url} yet${lastError ? ` (${lastError})` : ''}: check that the issuer runs, or REVOCATIONS_URL`,
      };
    }
    const details = { ageSeconds: Math.round(ageMs / 1000), revokedClients, revokedTokens };
    if (ageMs > STALE_AFTER_POLLS * settings.pollMs) {
      return {
        ok: true,
        ...details,
        warning: `the revocation list is ${details.ageSeconds} s old (last poll: ${lastError ?? 'no answer yet'}); revocations since then are not yet refused`,
      };
    }
    return { ok: true, ...details };
  };
}
