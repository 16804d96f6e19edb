/**
 * The access decision a server makes for each request: from the token's roles, what this principal
 * may do here. A role the policy does not grant on this server, an unknown role and a missing role
 * all end in `insufficient_scope` (403).
 *
 * A token may carry several roles (an IdP's `roles` array or groups, mapped by ROLE_MAP): it gets the
 * union of what the policy grants them here, as people expect from group membership: every tool any
 * of them may call, every field class any may see, and all rows if any sees all rows. Roles that grant
 * nothing here, or that the policy does not know, add nothing.
 */
import { AuthError } from '../errors.js';
import type { Principal } from '../principal.js';
import type { FieldClass, RbacPolicy, ServerGrant } from './policy.js';

export interface ServerAccess {
  /** The roles that grant access here, joined with `+` (for messages and logs). */
  readonly role: string;
  readonly roles: readonly string[];
  /** Tools this principal may list and call here; undefined means every tool. */
  readonly tools: ReadonlySet<string> | undefined;
  readonly fields: ReadonlySet<FieldClass>;
  readonly rows: 'all' | 'self';
}

export interface AccessOptions {
  /** Names the claim in the refusal of a token without a role (default `job_role`). */
  roleClaim?: string;
}

/** The principal's roles: `roles` when the verifier found several, else `role`. */
export function rolesOf(principal: Principal): readonly string[] {
  return principal.roles ?? (principal.role ? [principal.role] : []);
}

function grantOn(policy: RbacPolicy, role: string, server: string): ServerGrant | undefined {
  // Own-property lookup: a role named "__proto__" or "constructor" must not find anything.
  const entry = Object.hasOwn(policy.roles, role) ? policy.roles[role] : undefined;
  return entry && Object.hasOwn(entry.access, server) ? entry.access[server] : undefined;
}

export function decideAccess(policy: RbacPolicy, server: string, principal: Principal, options: AccessOptions = {}): ServerAccess {
  const roles = rolesOf(principal);
  if (roles.length === 0)
    throw new AuthError('insufficient_scope', `Token has no ${options.roleClaim ?? 'job_role'} claim naming a role; access is denied`);
  const granted = roles.flatMap((role) => {
    const grant = grantOn(policy, role, server);
    return grant ? [{ role, grant }] : [];
  });
  if (granted.length === 0)
    throw new AuthError('insufficient_scope', `${roles.length === 1 ? 'Role' : 'Roles'} ${roles.join(', ')} may not use ${server}`);
  const everyTool = granted.some(({ grant }) => grant.tools === '*');
  return {
    role: granted.map((g) => g.role).join('+'),
    roles: granted.map((g) => g.role),
    tools: everyTool ? undefined : new Set(granted.flatMap(({ grant }) => (grant.tools === '*' ? [] : grant.tools))),
    fields: new Set(granted.flatMap(({ grant }) => grant.fields)),
    rows: granted.some(({ grant }) => grant.rows === 'all') ? 'all' : 'self',
  };
}

/** A Set that refuses changes: a decision shared between requests must not be widened by one of them. */
function frozenSet<T>(items: Iterable<T>): ReadonlySet<T> {
  const set = new Set(items);
  const refuse = () => {
    throw new TypeError('This set is read-only');
  };
  Object.defineProperties(set, { add: { value: refuse }, delete: { value: refuse }, clear: { value: refuse } });
  return Object.freeze(set);
}

function frozenAccess(access: ServerAccess): ServerAccess {
  return Object.freeze({
    ...access,
    roles: Object.freeze([...access.roles]),
    tools: access.tools && frozenSet(access.tools),
    fields: frozenSet(access.fields),
  });
}

/**
 * `decideAccess` for one policy and server, decided once per Principal. Verifiers hand back one
 * frozen Principal per token or key record (claims-principal.ts, api-key-verifier.ts), so the
 * decision is made once per credential rather than per request; the result is frozen, since every
 * request of that credential shares it. A refusal is remembered as the error to throw, and a new
 * error is thrown every time (an error object carries the stack of the request that threw it).
 */
export function accessDecider(policy: RbacPolicy, server: string, options: AccessOptions = {}): (principal: Principal) => ServerAccess {
  const decisions = new WeakMap<Principal, ServerAccess | AuthError>();
  return (principal) => {
    let decision = decisions.get(principal);
    if (decision === undefined) {
      try {
        decision = frozenAccess(decideAccess(policy, server, principal, options));
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        decision = error;
      }
      // Only a frozen Principal can be remembered: a mutable one could change roles after the decision.
      if (Object.isFrozen(principal)) decisions.set(principal, decision);
    }
    if (decision instanceof AuthError)
      throw new AuthError(
        decision.code,
        decision.description,
        decision.requiredScope === undefined ? {} : { requiredScope: decision.requiredScope },
      );
    return decision;
  };
}

/** The servers a role may use, in policy order: what the agent connects to. */
export function serversForRole(policy: RbacPolicy, role: string | undefined): { allowed: string[]; denied: string[] } {
  const servers = Object.keys(policy.servers);
  const entry = role && Object.hasOwn(policy.roles, role) ? policy.roles[role] : undefined;
  const allowed = servers.filter((s) => entry && Object.hasOwn(entry.access, s));
  return { allowed, denied: servers.filter((s) => !allowed.includes(s)) };
}
