/**
 * Method 3's tokens. The issuer signs RS256 (with jose) with the current key and its `kid`; resource servers
 * verify with public keys only, from the issuer's JWKS or a pinned public.pem.
 *
 * Verification pins RS256 (so `alg: none`, HS256 signed with the public key's PEM, and ES256 tokens
 * are refused before any key is touched), never trusts keys named inside the token (`jwk`, `jku`,
 * `x5u`, `x5c` headers), requires exp/iat/sub, and checks iss, aud and nbf with a small tolerance.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, importPKCS8, SignJWT } from 'jose';
import { AuthError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { Verifier } from '../verifier.js';
import { createTokenKeyedVerifier } from './cached-verifier.js';
import { principalFromClaims } from './claims-principal.js';
import type { IssuedToken, TokenClaims } from './hs256.js';
import type { JwksClient } from './jwks-client.js';
import type { KeyRing } from './key-directory.js';
import { toAuthError } from './token-errors.js';

export interface Rs256IssuerOptions {
  keys: Pick<KeyRing, 'current'>;
  issuer: string;
  ttlSeconds: number;
  now?: () => number;
}

export function createRs256TokenIssuer(options: Rs256IssuerOptions) {
  // Importing a key costs more than a signature: import each once, as a WebCrypto key (jose turns a
  // Node KeyObject into one on every call, ~100 us on the event loop).
  const privateKeys = new Map<string, Promise<CryptoKey>>();
  const now = options.now ?? Date.now;
  return {
    /** Signs off the event loop: jose signs through WebCrypto, which runs RSA on libuv's thread
     *  pool, so an issuer keeps answering (and uses every core) while a ~0.3 ms signature is made. */
    async issue(request: TokenClaims & { ttlSeconds?: number }): Promise<IssuedToken & { kid: string }> {
      const key = options.keys.current();
      let privateKey = privateKeys.get(key.kid);
      if (!privateKey) {
        // Exported as PKCS#8 so that a PKCS#1 file (`openssl genrsa -traditional`) works too.
        const pkcs8 = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        privateKey = importPKCS8(pkcs8, 'RS256');
        privateKeys.set(key.kid, privateKey);
      }
      const ttl = request.ttlSeconds ?? options.ttlSeconds;
      const iat = Math.floor(now() / 1000);
      const jti = randomUUID();
      const token = await new SignJWT({
        ...request.claims,
        iss: options.issuer,
        sub: request.subject,
        aud: request.audience,
        iat,
        exp: iat + ttl,
        jti,
        ...(request.scope ? { scope: request.scope } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key.kid })
        .sign(await privateKey);
      return { token, jti, kid: key.kid, expiresAt: iat + ttl, expiresIn: ttl };
    },
  };
}

const UNTRUSTED_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;

export interface Rs256VerifierOptions {
  /** Where public keys come from: the issuer's JWKS, or one pinned PEM. */
  keys: { jwks: JwksClient } | { publicPem: string };
  issuer: string | readonly string[];
  /** Audiences accepted: the shared one (`my-mcp-server`) and this server's own resource URL. */
  audiences: readonly string[];
  /** Claim carrying the RBAC role (default `job_role`). */
  roleClaim?: string;
  clockToleranceSeconds?: number;
}

export function createRs256Verifier(
  options: Rs256VerifierOptions,
): Verifier & { verifyToken(token: string): Promise<Record<string, unknown>> } {
  const keySource = options.keys;
  // One fast-jwt verifier per public key, built once: fast-jwt prepares a static key a single time,
  // whereas a key *function* makes it parse the PEM on every call (about 10x the cost).
  const verifiers = new Map<string, (token: string) => unknown>();
  const verifierFor = (publicPem: string) => {
    let verify = verifiers.get(publicPem);
    if (!verify) {
      verify = createTokenKeyedVerifier({
        key: publicPem,
        algorithms: ['RS256'],
        allowedIss: typeof options.issuer === 'string' ? options.issuer : [...options.issuer],
        allowedAud: [...options.audiences],
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: (options.clockToleranceSeconds ?? 30) * 1000,
        cache: 1000,
      });
      verifiers.set(publicPem, verify);
    }
    return verify;
  };
  const headerOf = (token: string): Record<string, unknown> => {
    try {
      const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as unknown;
      if (typeof header === 'object' && header !== null && !Array.isArray(header)) return header as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new AuthError('invalid_credentials', 'Invalid token');
  };
  const verifyToken = async (token: string): Promise<Record<string, unknown>> => {
    const header = headerOf(token);
    for (const name of UNTRUSTED_HEADERS) {
      if (header[name] !== undefined)
        throw new AuthError('invalid_credentials', `Token header ${name} is not accepted (keys named inside a token are never trusted)`);
    }
    if (header.alg !== 'RS256') throw new AuthError('invalid_credentials', 'Token algorithm not accepted');
    const publicPem =
      'publicPem' in keySource ? keySource.publicPem : await keySource.jwks.getKey(typeof header.kid === 'string' ? header.kid : undefined);
    try {
      return verifierFor(publicPem)(token) as Record<string, unknown>;
    } catch (error) {
      throw toAuthError(error);
    }
  };
  return {
    verifyToken,
    async verify(credential): Promise<Principal> {
      if (credential.kind !== 'bearer') throw new AuthError('invalid_credentials', 'This server expects an OAuth Bearer token');
      return principalFromClaims(await verifyToken(credential.token), { roleClaim: options.roleClaim ?? 'job_role' });
    },
  };
}
