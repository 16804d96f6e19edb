/**
 * How fresh a resource server's view of its issuer is: when the JWKS was last fetched and how old its
 * copy of the revocation feed is. Kept beside the Fastify instance so that a readiness check (or an
 * operator's own endpoint) can report it without reaching into the verifier.
 */
import type { RevocationFeedStatus } from '@mcp-auth/auth';
import type { FastifyInstance } from 'fastify';

export interface VerificationState {
  /** The JWKS client, when keys come from the issuer (undefined with a pinned PUBLIC_KEY_FILE). */
  readonly jwks: { readonly fetchedAt: number } | undefined;
  /** The revocation feed, when polled (undefined when REVOCATIONS_URL is off). */
  readonly revocations: { status(): RevocationFeedStatus } | undefined;
}

const states = new WeakMap<FastifyInstance, VerificationState>();

export function trackVerificationState(app: FastifyInstance, state: VerificationState): void {
  states.set(app, state);
}

/** What a resource server built by createResourceServer knows of its issuer; undefined for other apps. */
export function verificationState(app: FastifyInstance): VerificationState | undefined {
  return states.get(app);
}
