/**
 * Method 3's tokens. The issuer signs RS256 with the current key and its `kid`; resource servers
 * verify with public keys only, from the issuer's JWKS or a pinned public.pem.
 *
 * Verification pins RS256 (so `alg: none`, HS256 signed with the public key's PEM, and ES256 tokens
 * are refused before any key is touched), never trusts keys named inside the token (`jwk`, `jku`,
 * `x5u`, `x5c` headers), requires iss/aud/exp/iat/sub, and checks iss, aud and nbf with a small tolerance.
 */
import { randomUUID, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { AuthError } from '../errors.js';
import type { TokenRevocations } from '../oauth/token-revocations.js';
import type { Principal } from '../principal.js';
import type { Awaitable } from '../record-cache.js';
import type { Verifier } from '../verifier.js';
import { createTokenKeyedVerifier } from './cached-verifier.js';
import { createClaimsPrincipals, unlessRevoked } from './claims-principal.js';
import type { IssuedToken, TokenClaims } from './hs256.js';
import type { JwksClient } from './jwks-client.js';
import type { KeyRing } from './key-directory.js';
import { toAuthError } from './token-errors.js';
import type { RoleMap } from './token-roles.js';

export interface Rs256IssuerOptions {
  keys: Pick<KeyRing, 'current'>;
  issuer: string;
  ttlSeconds: number;
  now?: () => number;
}

const signAsync = promisify(sign);
const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function createRs256TokenIssuer(options: Rs256IssuerOptions) {
  const now = options.now ?? Date.now;
  return {
    /**
     * A JWS in compact form (RFC 7515 §7.1): base64url(header).base64url(claims).base64url(signature),
     * RSASSA-PKCS1-v1_5 with SHA-256 (RS256, RFC 7518 §3.3; Node's default padding for RSA keys).
     * Node's crypto.sign with a callback signs on libuv's thread pool, so an issuer keeps answering,
     * and uses every core, while each ~0.3 ms signature is made.
     */
    async issue(request: TokenClaims & { ttlSeconds?: number }): Promise<IssuedToken & { kid: string }> {
      const key = options.keys.current();
      const ttl = request.ttlSeconds ?? options.ttlSeconds;
      const iat = Math.floor(now() / 1000);
      const jti = randomUUID();
      const claims = {
        ...request.claims,
        iss: options.issuer,
        sub: request.subject,
        aud: request.audience,
        iat,
        exp: iat + ttl,
        jti,
        ...(request.scope ? { scope: request.scope } : {}),
      };
      const signingInput = `${base64urlJson({ alg: 'RS256', typ: 'at+jwt', kid: key.kid })}.${base64urlJson(claims)}`;
      const signature = await signAsync('sha256', Buffer.from(signingInput), key.privateKey);
      return { token: `${signingInput}.${signature.toString('base64url')}`, jti, kid: key.kid, expiresAt: iat + ttl, expiresIn: ttl };
    },
  };
}

const UNTRUSTED_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;
/** Most distinct accepted token headers remembered (one per issuer key in practice); starts over when full. */
export const ACCEPTED_HEADER_CACHE_SIZE = 100;

export interface Rs256VerifierOptions {
  /** Where public keys come from: the issuer's JWKS (or the issuer's own key ring), or one pinned PEM. */
  keys: { jwks: Pick<JwksClient, 'getKey'> } | { publicPem: string };
  issuer: string | readonly string[];
  /** Audiences accepted: the shared one (`my-mcp-server`) and this server's own resource URL. */
  audiences: readonly string[];
  /** Claim carrying the RBAC role: a name or dotted path, string or array (default `job_role`). */
  roleClaim?: string;
  /** IdP role/group values -> policy roles (ROLE_MAP); when set, unmapped values grant nothing. */
  roleMap?: RoleMap | undefined;
  clockToleranceSeconds?: number;
  /** The issuer's revocations, e.g. its /revocations feed as polled by this server. */
  revocations?: TokenRevocations;
}

export function createRs256Verifier(
  options: Rs256VerifierOptions,
): Verifier & { verifyToken(token: string): Promise<Record<string, unknown>>; readonly acceptedHeaderCount: number } {
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
        // Absent iss or aud would skip allowedIss/allowedAud in fast-jwt: both must be present.
        requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub'],
        clockTolerance: (options.clockToleranceSeconds ?? 30) * 1000,
        cache: 1000,
      });
      verifiers.set(publicPem, verify);
    }
    return verify;
  };
  const headerOf = (segment: string): Record<string, unknown> => {
    try {
      const header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
      if (typeof header === 'object' && header !== null && !Array.isArray(header)) return header as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new AuthError('invalid_credentials', 'Invalid token');
  };
  /** The `kid` an acceptable header names (undefined: none); throws for a header that is refused. */
  const acceptedKid = (segment: string): string | undefined => {
    const header = headerOf(segment);
    for (const name of UNTRUSTED_HEADERS) {
      if (header[name] !== undefined)
        throw new AuthError('invalid_credentials', `Token header ${name} is not accepted (keys named inside a token are never trusted)`);
    }
    if (header.alg !== 'RS256') throw new AuthError('invalid_credentials', 'Token algorithm not accepted');
    return typeof header.kid === 'string' ? header.kid : undefined;
  };
  // Accepted headers by their exact base64url text: an issuer sends one header per signing key, so
  // parsing and checking it on every call was wasted work. Only the header's verdict is kept; the key
  // is still asked of the key source on every call, so a rotated-away or removed kid is refused as
  // before, and any other header text (another alg, kid or extra member) is checked afresh.
  const acceptedHeaders = new Map<string, string | undefined>();
  const kidOf = (token: string): string | undefined => {
    const segment = token.slice(0, token.indexOf('.'));
    if (acceptedHeaders.has(segment)) return acceptedHeaders.get(segment);
    const kid = acceptedKid(segment);
    if (acceptedHeaders.size >= ACCEPTED_HEADER_CACHE_SIZE) acceptedHeaders.clear();
    acceptedHeaders.set(segment, kid);
    return kid;
  };
  const checkedWith = (publicPem: string, token: string): Record<string, unknown> => {
    try {
      return verifierFor(publicPem)(token) as Record<string, unknown>;
    } catch (error) {
      throw toAuthError(error);
    }
  };
  /**
   * The verified claims: at once when the key is at hand (a pinned PEM, or a JWKS key already held:
   * every call after the first), otherwise once the key is fetched. Throws AuthError either way.
   */
  const claimsOf = (token: string): Record<string, unknown> | Promise<Record<string, unknown>> => {
    const kid = kidOf(token);
    if ('publicPem' in keySource) return checkedWith(keySource.publicPem, token);
    const publicPem = keySource.jwks.getKey(kid);
    return typeof publicPem === 'string' ? checkedWith(publicPem, token) : publicPem.then((pem) => checkedWith(pem, token));
  };
  const verifyToken = async (token: string): Promise<Record<string, unknown>> => claimsOf(token);
  const principalOf = createClaimsPrincipals({ roleClaim: options.roleClaim ?? 'job_role', roleMap: options.roleMap });
  const unrevokedPrincipal = (claims: Record<string, unknown>): Awaitable<Principal> =>
    unlessRevoked(options.revocations, principalOf(claims));
  return {
    verifyToken,
    /** How many accepted headers are remembered (at most ACCEPTED_HEADER_CACHE_SIZE). */
    get acceptedHeaderCount() {
      return acceptedHeaders.size;
    },
    verify(credential): Principal | Promise<Principal> {
      if (credential.kind !== 'bearer') throw new AuthError('invalid_credentials', 'This server expects an OAuth Bearer token');
      const claims = claimsOf(credential.token);
      return claims instanceof Promise ? claims.then(unrevokedPrincipal) : unrevokedPrincipal(claims);
    },
  };
}
