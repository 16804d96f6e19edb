/**
 * fast-jwt's errors, translated once into AuthErrors with descriptions a client can act on. The
 * descriptions say which check failed, never what the token contained.
 */
import { TokenError } from 'fast-jwt';
import { AuthError } from '../errors.js';

export function toAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (!(error instanceof TokenError)) return new AuthError('invalid_credentials', 'Invalid token', { cause: error });
  const { codes } = TokenError;
  switch (error.code) {
    case codes.expired:
      return new AuthError('expired_credentials', 'Token expired', { cause: error });
    case codes.inactive:
      return new AuthError('invalid_credentials', 'Token not yet valid (nbf)', { cause: error });
    case codes.invalidSignature:
      return new AuthError('invalid_credentials', 'Invalid token signature', { cause: error });
    case codes.invalidAlgorithm:
      return new AuthError('invalid_credentials', 'Token algorithm not accepted', { cause: error });
    case codes.invalidType:
      return new AuthError('invalid_credentials', 'Token type not accepted (expected at+jwt)', { cause: error });
    case codes.missingRequiredClaim: {
      // fast-jwt: "The aud claim is required."
      const claim = /The (\w+) claim/.exec(error.message)?.[1];
      return new AuthError('invalid_credentials', claim ? `Token has no ${claim} claim` : 'Token lacks a required claim', { cause: error });
    }
    case codes.invalidClaimValue: {
      const claim = /The (\w+) claim/.exec(error.message)?.[1];
      const which = claim === 'iss' ? 'issuer' : claim === 'aud' ? 'audience' : claim ? `${claim} claim` : 'claim';
      return new AuthError('invalid_credentials', `Token ${which} not accepted`, { cause: error });
    }
    default:
      return new AuthError('invalid_credentials', 'Invalid token', { cause: error });
  }
}
