/**
 * What a verifier asks once a token's signature and claims check out: has it been revoked? Two kinds
 * of revocation answer it: one token by its `jti` (RFC 7009 /revoke) and every token of a client
 * (`clients revoke`). Each source (the local list, the client store, an issuer's feed) implements
 * this one question, and a verifier asks them all.
 */

export interface RevocableToken {
  readonly jti: string | undefined;
  /** The client the token was issued to: its `client_id` claim, else its `sub`. */
  readonly clientId: string;
}

export interface TokenRevocations {
  isRevoked(token: RevocableToken): boolean;
}

/** Revoked when any source says so. */
export function anyRevocation(...sources: readonly TokenRevocations[]): TokenRevocations {
  return { isRevoked: (token) => sources.some((source) => source.isRevoked(token)) };
}

/**
 * How long after a token's `exp` a revocation entry must still be kept: verifiers accept a token up
 * to their clock tolerance past `exp` (JWT_CLOCK_TOLERANCE_SECONDS, at most 300).
 */
export const REVOCATION_GRACE_SECONDS = 300;
