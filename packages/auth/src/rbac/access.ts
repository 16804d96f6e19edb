/**
 * The access decision a server makes for each request: from the token's role, what this principal
 * may do here. A role the policy does not grant on this server, an unknown role and a missing role
 * all end in `insufficient_scope` (403).
 */
import { AuthError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { FieldClass, RbacPolicy } from './policy.js';

export interface ServerAccess {
  readonly role: string;
  /** Tools this principal may list and call here; undefined means every tool. */
  readonly tools: ReadonlySet<string> | undefined;
  readonly fields: ReadonlySet<FieldClass>;
  readonly rows: 'all' | 'self';
}

export function decideAccess(policy: RbacPolicy, server: string, principal: Principal): ServerAccess {
  const role = principal.role;
  if (!role) throw new AuthError('insufficient_scope', 'Token has no job_role claim; access is denied');
  // Own-property lookup: a role named "__proto__" or "constructor" must not find anything.
  const entry = Object.hasOwn(policy.roles, role) ? policy.roles[role] : undefined;
  const grant = entry && Object.hasOwn(entry.access, server) ? entry.access[server] : undefined;
  if (!grant) throw new AuthError('insufficient_scope', `Role ${role} may not use ${server}`);
  return {
    role,
    tools: grant.tools === '*' ? undefined : new Set(grant.tools),
    fields: new Set(grant.fields),
    rows: grant.rows,
  };
}

/** The servers a role may use, in policy order: what the agent connects to. */
export function serversForRole(policy: RbacPolicy, role: string | undefined): { allowed: string[]; denied: string[] } {
  const servers = Object.keys(policy.servers);
  const entry = role && Object.hasOwn(policy.roles, role) ? policy.roles[role] : undefined;
  const allowed = servers.filter((s) => entry && Object.hasOwn(entry.access, s));
  return { allowed, denied: servers.filter((s) => !allowed.includes(s)) };
}
