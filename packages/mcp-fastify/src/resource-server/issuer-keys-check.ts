/**
 * Readiness of a resource server that verifies with the issuer's JWKS: ready once it holds keys
 * (however old: the issuer being down later does not stop verification, it gets a warning), not
 * ready while it never fetched any, with the cause of the last failed fetch. Reads the JWKS client's
 * state only: a hung issuer never makes /ready wait.
 */
import type { JwksClient } from '@mcp-auth/auth';
import type { CheckResult } from '../http/readiness.js';

/** Why a fetch failed, in a few words: the network error code, a timeout, or our own message. */
export function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if ((error as Error | undefined)?.name === 'TimeoutError') return 'timed out';
  return error instanceof Error ? error.message : String(error);
}

/**
 * `settings` names what to check when the keys cannot be fetched: ISSUER_URL / JWKS_URL for this
 * project's issuer, ISSUER for an outside one found by discovery.
 */
export function issuerKeysCheck(jwks: Pick<JwksClient, 'status'>, settings = 'ISSUER_URL / JWKS_URL'): () => CheckResult {
  return () => {
    const { keys, fetchedAt, lastError } = jwks.status();
    if (keys === 0) {
      return {
        ok: false,
        reason:
          lastError === undefined
            ? "the issuer's keys have not been fetched yet"
            : `the issuer's keys cannot be fetched (${describeFetchError(lastError)}): check that the issuer runs and ${settings}`,
      };
    }
    const since = fetchedAt === undefined ? undefined : new Date(fetchedAt).toISOString();
    return {
      ok: true,
      keys,
      fetchedAt: since,
      ...(lastError === undefined
        ? {}
        : { warning: `the last JWKS refresh failed (${describeFetchError(lastError)}); verifying with the keys fetched at ${since}` }),
    };
  };
}
