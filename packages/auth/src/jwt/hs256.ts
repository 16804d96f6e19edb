/**
 * Method 2's tokens: HS256 access tokens (RFC 9068 `typ: at+jwt`) signed and verified with fast-jwt,
 * the engine under @fastify/jwt. It is used directly so that the verifier keeps this project's one
 * Fastify-free shape and its errors become RFC 6750 challenges (the plugin answers without one).
 *
 * Verification pins HS256, requires iss/aud/exp/iat/sub/jti, checks iss, aud and nbf with a small clock
 * tolerance, checks `typ`, and asks the revocations (the token's jti, and its client). `alg: none` and every other algorithm
 * are refused before any signature work.
 */
import { randomUUID } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { AuthError } from '../errors.js';
import type { TokenRevocations } from '../oauth/token-revocations.js';
import type { Principal } from '../principal.js';
import type { Verifier } from '../verifier.js';
import { createTokenKeyedVerifier } from './cached-verifier.js';
import { createClaimsPrincipals, unlessRevoked } from './claims-principal.js';
import { toAuthError } from './token-errors.js';

export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface IssuedToken {
  readonly token: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  readonly expiresIn: number;
}

export interface TokenClaims {
  subject: string;
  audience: string;
  scope: string;
  /** Extra claims: client_id, name, job_role, ... */
  claims?: Record<string, unknown>;
}

export interface Hs256IssuerOptions {
  secret: string;
  issuer: string;
  ttlSeconds: number;
  now?: () => number;
}

export function createHs256TokenIssuer(options: Hs256IssuerOptions) {
  const { issuer, ttlSeconds, now = Date.now } = options;
  // Claims are written by hand rather than through signer options so that iat and exp are computed
  // from one clock reading, in UTC seconds: the reference demo's exp was local time read as UTC.
  const sign = createSigner({ key: options.secret, algorithm: 'HS256', header: { alg: 'HS256', typ: ACCESS_TOKEN_TYPE } });
  return {
    issue(request: TokenClaims): IssuedToken {
      const iat = Math.floor(now() / 1000);
      const jti = randomUUID();
      const exp = iat + ttlSeconds;
      const token = sign({
        ...request.claims,
        iss: issuer,
        sub: request.subject,
        aud: request.audience,
        iat,
        exp,
        jti,
        scope: request.scope,
      });
      return { token, jti, expiresAt: exp, expiresIn: ttlSeconds };
    },
  };
}

export interface Hs256VerifierOptions {
  secret: string;
  issuer: string;
  /** Audiences accepted: this server's resource URL. */
  audience: string | readonly string[];
  /** Token ids revoked by /revoke and clients revoked by `clients revoke`. */
  revocations?: TokenRevocations;
  clockToleranceSeconds?: number;
  /** Scope every token must carry to use this server, e.g. "mcp"; 403 insufficient_scope otherwise. */
  requiredScope?: string;
}

export function createHs256Verifier(options: Hs256VerifierOptions): Verifier & { verifyToken(token: string): Record<string, unknown> } {
  const verify = createTokenKeyedVerifier({
    key: options.secret,
    algorithms: ['HS256'],
    allowedIss: options.issuer,
    allowedAud: typeof options.audience === 'string' ? options.audience : [...options.audience],
    // fast-jwt checks iss and aud only when present (allowedIss/allowedAud skip absent claims), so
    // presence is required here: a token for no audience is not a token for this one (RFC 9068 §4).
    requiredClaims: ['iss', 'aud', 'exp', 'iat', 'sub', 'jti'],
    clockTolerance: (options.clockToleranceSeconds ?? 30) * 1000,
    checkTyp: ACCESS_TOKEN_TYPE,
    cache: 1000,
  });
  const principalOf = createClaimsPrincipals();
  const verifyToken = (token: string): Record<string, unknown> => {
    try {
      return verify(token) as Record<string, unknown>;
    } catch (error) {
      throw toAuthError(error);
    }
  };
  const withRequiredScope = (principal: Principal): Principal => {
    if (options.requiredScope && !principal.scopes.includes(options.requiredScope)) {
      throw new AuthError('insufficient_scope', `Token lacks the "${options.requiredScope}" scope`, {
        requiredScope: options.requiredScope,
      });
    }
    return principal;
  };
  return {
    verifyToken,
    verify(credential) {
      if (credential.kind !== 'bearer') throw new AuthError('invalid_credentials', 'This server expects an OAuth Bearer token');
      // Revocation first: a revoked token is refused as revoked (401), whatever its scopes.
      const unrevoked = unlessRevoked(options.revocations, principalOf(verifyToken(credential.token)));
      return unrevoked instanceof Promise ? unrevoked.then(withRequiredScope) : withRequiredScope(unrevoked);
    },
  };
}
