/**
 * The scopes people's sign-ins can carry, from the one RBAC policy file the resource servers enforce
 * (RBAC_POLICY_FILE): each server's tool scopes (`hr:read`, `hr:approve`, ...) and the umbrella `mcp`.
 * A person may be granted the scopes covering tools their role allows (grantableScopes), so what the
 * consent page offers and what the servers accept can never disagree; a scope asked for beyond that is
 * shown on the consent page as not available and not granted.
 */
import { grantableScopes, policyScopes, type RbacPolicy } from '@mcp-auth/auth';
import type { ScopeRules } from './provider.js';

export function scopeRules(policy: RbacPolicy): ScopeRules & { describe(scope: string): string } {
  const described = new Map(policyScopes(policy).map((s) => [s.name, s.description]));
  return {
    all: [...described.keys()],
    grantable: (role) => grantableScopes(policy, [role]),
    describe: (scope) => described.get(scope) ?? 'a permission this issuer does not know',
  };
}
