/**
 * What a verifier asks once a token's signature and claims check out: has it been revoked? Two kinds
 * of revocation answer it: one token by its `jti` (RFC 7009 /revoke) and every token of a client
 * (`clients revoke`). Each source (the local list, the client store, an issuer's feed) implements
 * this one question, and a verifier asks them all.
 */
import type { Awaitable } from '../record-cache.js';

export interface RevocableToken {
  readonly jti: string | undefined;
  /** The client the token was issued to: its `client_id` claim, else its `sub`. */
  readonly clientId: string;
}

export interface TokenRevocations {
  /** From memory on nearly every call; a promise when the source must first look at its database. */
  isRevoked(token: RevocableToken): Awaitable<boolean>;
}

/** Revoked when any source says so; waits for the sources that must look only when none has said so already. */
export function anyRevocation(...sources: readonly TokenRevocations[]): TokenRevocations {
  return {
    isRevoked(token) {
      // Made only when a source must look: nearly every call is answered from memory, on every request.
      let pending: Promise<boolean>[] | undefined;
      for (const source of sources) {
        const revoked = source.isRevoked(token);
        if (revoked === true) return true;
        if (revoked === false) continue;
        pending ??= [];
        pending.push(revoked);
      }
      // Every source is asked even when one cannot answer: a rejection fails the whole check (fail closed).
      return pending === undefined ? false : Promise.all(pending).then((answers) => answers.includes(true));
    },
  };
}

/**
 * How long after a token's `exp` a revocation entry must still be kept: verifiers accept a token up
 * to their clock tolerance past `exp` (JWT_CLOCK_TOLERANCE_SECONDS, at most 300).
 */
export const REVOCATION_GRACE_SECONDS = 300;
