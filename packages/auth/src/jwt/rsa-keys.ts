/**
 * RSA signing keys for RS256: generation (PKCS#8 private, SPKI public, as the article's script wrote
 * them), RFC 7638 thumbprints used as `kid`, and public JWKs for a JWKS document.
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface RsaPem {
  privatePem: string;
  publicPem: string;
}

export function generateRsaKeyPair(modulusLength = 2048): RsaPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface RsaPublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/** RFC 7638 §3: SHA-256 over the required members in lexicographic order, base64url. */
export function jwkThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string };
  if (jwk.kty !== 'RSA') throw new TypeError('Only RSA keys are used here');
  return createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))
    .digest('base64url');
}

export function publicJwk(publicKey: KeyObject): RsaPublicJwk {
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { kty: 'RSA', n: jwk.n, e: jwk.e, kid: jwkThumbprint(publicKey), alg: 'RS256', use: 'sig' };
}

/** The public key of a PEM that holds either half of the pair. */
export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}
