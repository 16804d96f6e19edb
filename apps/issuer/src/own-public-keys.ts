/**
 * The issuer reading its own tokens (for RFC 7009 /revoke): the public keys it publishes in its JWKS,
 * looked up by kid straight from the key ring, with the same RS256 verifier resource servers use.
 */
import { createPublicKey } from 'node:crypto';
import { AuthError, type JwksClient, type KeyRing } from '@mcp-auth/auth';

export function ownPublicKeys(keys: Pick<KeyRing, 'jwks'>): Pick<JwksClient, 'getKey'> {
  const pems = new Map<string, string>(); // kid -> SPKI PEM; a kid names one key for good (RFC 7638)
  return {
    async getKey(kid) {
      const jwk = kid === undefined ? undefined : keys.jwks().keys.find((k) => k.kid === kid);
      if (!jwk || kid === undefined) throw new AuthError('invalid_credentials', 'Token signed by an unknown key (kid)');
      let pem = pems.get(kid);
      if (!pem) {
        pem = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' })
          .export({ type: 'spki', format: 'pem' })
          .toString();
        pems.set(kid, pem);
      }
      return pem;
    },
  };
}
