/** Builds the Principal a resource server sees from verified JWT claims. */
import type { RevocableToken } from '../oauth/token-revocations.js';
import type { Principal } from '../principal.js';

export interface ClaimsPrincipalOptions {
  /** Claim holding the RBAC role (`job_role` in this project; a real IdP may use `roles` or `groups`). */
  roleClaim?: string;
}

export function principalFromClaims(claims: Record<string, unknown>, options: ClaimsPrincipalOptions = {}): Principal {
  const sub = String(claims.sub);
  const scope = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  const role = options.roleClaim ? claims[options.roleClaim] : undefined;
  return {
    id: `${String(claims.iss)}#${sub}`,
    method: 'jwt',
    subject: sub,
    clientId: typeof claims.client_id === 'string' ? claims.client_id : sub,
    displayName: typeof claims.name === 'string' ? claims.name : undefined,
    scopes: scope,
    role: typeof role === 'string' ? role : undefined,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
    claims,
  };
}

/** What revocation is decided on: the token's id and the client it was issued to. */
export function revocable(principal: Principal): RevocableToken {
  const jti = principal.claims?.jti;
  return { jti: typeof jti === 'string' ? jti : undefined, clientId: principal.clientId };
}
