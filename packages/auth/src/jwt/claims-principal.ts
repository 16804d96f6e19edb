/** Builds the Principal a resource server sees from verified JWT claims. */
import { AuthError } from '../errors.js';
import type { RevocableToken, TokenRevocations } from '../oauth/token-revocations.js';
import { freezePrincipal, type Principal } from '../principal.js';
import type { Awaitable } from '../record-cache.js';
import { type RoleMap, rolesFromClaims } from './token-roles.js';

export interface ClaimsPrincipalOptions {
  /**
   * Claim holding the RBAC role: a name or dotted path (`job_role` in this project; `roles` for Entra
   * app roles, `realm_access.roles` for Keycloak, `groups`). Its value may be a string or an array.
   */
  roleClaim?: string;
  /** IdP role/group values -> policy roles; when set, unmapped values grant nothing. */
  roleMap?: RoleMap | undefined;
}

/** `scope` (RFC 9068 §2.2.3) or, from Entra ID, `scp`: space-separated either way. */
function scopesOf(claims: Record<string, unknown>): string[] {
  const scope = typeof claims.scope === 'string' ? claims.scope : typeof claims.scp === 'string' ? claims.scp : '';
  return scope.split(' ').filter(Boolean);
}

export function principalFromClaims(claims: Record<string, unknown>, options: ClaimsPrincipalOptions = {}): Principal {
  const sub = String(claims.sub);
  const roles = options.roleClaim ? rolesFromClaims(claims, { claim: options.roleClaim, map: options.roleMap }) : [];
  // The client: RFC 9068's client_id, else OIDC's azp (Keycloak, Entra v2), else the subject.
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : typeof claims.azp === 'string' ? claims.azp : sub;
  return {
    id: `${String(claims.iss)}#${sub}`,
    method: 'jwt',
    subject: sub,
    clientId,
    displayName: typeof claims.name === 'string' ? claims.name : undefined,
    scopes: scopesOf(claims),
    role: roles[0],
    roles,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined,
    claims,
  };
}

/**
 * `principalFromClaims` with one read-only Principal per verified claims object. The verifiers'
 * token-keyed caches (cached-verifier.ts) hand back the very same claims object for the same token
 * while it is cached, so this builds a Principal once per token instead of once per request. The
 * Principal and its arrays are frozen: it is shared by every request of that token, and none of them
 * may change what the next one sees. What can change without a new token (revocation, required
 * scope) is still checked by the verifier on every call.
 */
export function createClaimsPrincipals(options: ClaimsPrincipalOptions = {}): (claims: Record<string, unknown>) => Principal {
  const principals = new WeakMap<Record<string, unknown>, Principal>();
  return (claims) => {
    let principal = principals.get(claims);
    if (principal === undefined) {
      principal = freezePrincipal(principalFromClaims(claims, options));
      principals.set(claims, principal);
    }
    return principal;
  };
}

/** What revocation is decided on: the token's id and the client it was issued to. */
export function revocable(principal: Principal): RevocableToken {
  const jti = principal.claims?.jti;
  return { jti: typeof jti === 'string' ? jti : undefined, clientId: principal.clientId };
}

const revokedToken = () => new AuthError('revoked_credentials', 'Token revoked');

/**
 * The principal of a verified token unless a source says the token is revoked (`revoked_credentials`):
 * at once when every source answers from memory, otherwise once they have. A source that cannot answer
 * (its database is down) rejects, and so does this: a token is never let through unchecked.
 */
export function unlessRevoked(revocations: TokenRevocations | undefined, principal: Principal): Awaitable<Principal> {
  const revoked = revocations?.isRevoked(revocable(principal)) ?? false;
  if (revoked === false) return principal;
  if (revoked === true) throw revokedToken();
  return revoked.then((isRevoked) => {
    if (isRevoked) throw revokedToken();
    return principal;
  });
}
