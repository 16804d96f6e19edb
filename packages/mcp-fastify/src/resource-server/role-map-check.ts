/**
 * ROLE_MAP against the RBAC policy, at startup: a map onto a role the policy does not define would
 * grant nothing, silently, so the server refuses to start and names each such entry.
 */
import type { RbacPolicy, RoleMap } from '@mcp-auth/auth';
import { ConfigError } from '../config/env-reader.js';

export function checkRoleMap(map: RoleMap, policy: RbacPolicy, policyFile: string): void {
  const known = Object.keys(policy.roles);
  const problems = [...map]
    .filter(([, role]) => !Object.hasOwn(policy.roles, role))
    .map(
      ([from, role]) =>
        `ROLE_MAP maps "${from}" to ${role}, which is not a role of the RBAC policy ${policyFile} (its roles: ${known.join(', ')})`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
}
