/**
 * The scope vocabulary of the policy file: which OAuth scopes cover which tools, what an issuer may
 * grant a person, what a resource server advertises and challenges with, and whether a token's scopes
 * cover a call. A call needs both a role that allows the tool (access.ts) and a token whose scopes
 * cover it (here): the role says what a person may do at all, the scopes what they consented to let
 * this client do.
 *
 * - `mcp` is the umbrella: it covers every tool scope of every server (MCP 2025-11-25 "scope
 *   hierarchies MUST be accounted for"), so the client-credentials tokens and `pnpm -s run token`
 *   tokens that carry it work as before.
 * - A tool named by several scopes needs all of them.
 * - Base scopes (not `stepUp`) are what a client is asked for when it connects: the 401 challenge's
 *   `scope`. Step-up scopes are asked for only when a call needs one, by the 403 challenge.
 * - `offline_access` is not a tool scope: never challenged, never listed here (the issuer adds it).
 */
import { type PolicyScope, type RbacPolicy, RESERVED_SCOPES } from './policy.js';

/** The umbrella scope: every tool the person's role allows, on every server. */
export const UMBRELLA_SCOPE = 'mcp';
const UMBRELLA_DESCRIPTION = 'Use every tool your role allows, on every MCP server of this deployment';

export interface ScopeDescription {
  name: string;
  description: string;
}

function serverOf(policy: RbacPolicy, server: string) {
  const entry = Object.hasOwn(policy.servers, server) ? policy.servers[server] : undefined;
  if (!entry) throw new Error(`"${server}" is not a server of the policy (it has: ${Object.keys(policy.servers).join(', ')})`);
  return entry;
}

/** Every scope with its description, tool scopes in policy order and `mcp` last: AS `scopes_supported` and the consent page. */
export function policyScopes(policy: RbacPolicy): ScopeDescription[] {
  const scopes = Object.values(policy.servers).flatMap(({ scopes }) =>
    Object.entries(scopes).map(([name, { description }]) => ({ name, description })),
  );
  return [...scopes, { name: UMBRELLA_SCOPE, description: UMBRELLA_DESCRIPTION }];
}

/**
 * The scopes a person with these roles may be given: each scope covering at least one tool the roles
 * allow, and `mcp` when they may use any server at all (it never reaches past the role: access.ts
 * still decides each call). Unknown roles grant nothing. The issuer intersects a client's request
 * with this.
 */
export function grantableScopes(policy: RbacPolicy, roles: readonly string[]): string[] {
  const granted = new Set<string>();
  for (const role of roles) {
    const entry = Object.hasOwn(policy.roles, role) ? policy.roles[role] : undefined;
    if (!entry) continue;
    for (const [server, grant] of Object.entries(entry.access)) {
      const declared = Object.hasOwn(policy.servers, server) ? policy.servers[server] : undefined;
      for (const [name, scope] of Object.entries(declared?.scopes ?? {})) {
        if (grant.tools === '*' || scope.tools.some((tool) => grant.tools.includes(tool))) granted.add(name);
      }
    }
  }
  if (granted.size > 0) granted.add(UMBRELLA_SCOPE);
  // Policy order, whatever order the roles came in.
  return policyScopes(policy)
    .map((s) => s.name)
    .filter((name) => granted.has(name));
}

/**
 * The names among `scopes` that mean nothing here: neither a scope of the policy nor one of the
 * reserved `mcp`, `offline_access`, `openid`. For the issuer to refuse a client registered or
 * configured with a typo instead of silently granting less.
 */
export function unknownScopes(policy: RbacPolicy, scopes: readonly string[]): string[] {
  const known = new Set([...policyScopes(policy).map((s) => s.name), ...RESERVED_SCOPES]);
  return scopes.filter((name) => !known.has(name));
}

/** A server's own scopes, in policy order: its RFC 9728 `scopes_supported` (`mcp` is accepted but not advertised, §2 allows that). */
export function serverScopes(policy: RbacPolicy, server: string): string[] {
  return Object.keys(serverOf(policy, server).scopes);
}

/** What a client should ask for to connect and list: the server's base (not `stepUp`) scopes, for the 401 challenge. */
export function baseScopes(policy: RbacPolicy, server: string): string[] {
  return Object.entries(serverOf(policy, server).scopes)
    .filter(([, scope]) => !scope.stepUp)
    .map(([name]) => name);
}

/** The scopes a call of `tool` needs (any one token with `mcp` needs none of them). */
export function requiredScopes(policy: RbacPolicy, server: string, tool: string): string[] {
  const required = Object.entries(serverOf(policy, server).scopes)
    .filter(([, scope]) => scope.tools.includes(tool))
    .map(([name]) => name);
  if (required.length === 0) throw new Error(`"${tool}" is in no scope of ${server} in the policy`);
  return required;
}

/**
 * The scope rule of one server, precomputed for the request path: what the kit asks for every
 * request and every tools/call.
 */
export interface ToolScopeRule {
  /** The 401 challenge's `scope`: the base scopes, space separated. */
  readonly challengeScope: string;
  /** A token may use this server at all: it carries `mcp` or one of the server's scopes. */
  admits(granted: readonly string[]): boolean;
  /** The scopes a call of `tool` still lacks; [] when covered, undefined for a tool the policy does not name. */
  missing(granted: readonly string[], tool: string): string[] | undefined;
  /**
   * The 403 challenge's `scope` for calls that lack `missing`: the server's scopes the token already
   * holds plus the missing ones, in policy order. The held ones are kept because a client re-authorizes
   * with exactly this scope and the new token replaces the old (MCP 2025-11-25, "Recommended approach").
   */
  challengeFor(granted: readonly string[], missing: readonly string[]): string;
  /** tools/list shows `tool` (the role allowing it): covered now, or by a step-up scope one consent away. */
  lists(granted: readonly string[], tool: string): boolean;
  /** The part of `granted` this rule depends on, as a short key: the same key, the same answers. */
  key(granted: readonly string[]): string;
}

export function toolScopeRule(policy: RbacPolicy, server: string): ToolScopeRule {
  const scopes: ReadonlyArray<[string, PolicyScope]> = Object.entries(serverOf(policy, server).scopes);
  const names = scopes.map(([name]) => name);
  const needs = new Map<string, string[]>();
  for (const [name, scope] of scopes) for (const tool of scope.tools) needs.set(tool, [...(needs.get(tool) ?? []), name]);
  const stepUp = new Set(scopes.filter(([, scope]) => scope.stepUp).map(([name]) => name));

  const missing = (granted: readonly string[], tool: string) => {
    const required = needs.get(tool);
    if (!required) return undefined;
    if (granted.includes(UMBRELLA_SCOPE)) return [];
    return required.filter((name) => !granted.includes(name));
  };
  return {
    challengeScope: baseScopes(policy, server).join(' '),
    admits: (granted) => granted.includes(UMBRELLA_SCOPE) || names.some((name) => granted.includes(name)),
    missing,
    challengeFor: (granted, lacking) => names.filter((name) => granted.includes(name) || lacking.includes(name)).join(' '),
    lists: (granted, tool) => missing(granted, tool)?.every((name) => stepUp.has(name)) ?? false,
    key: (granted) => (granted.includes(UMBRELLA_SCOPE) ? UMBRELLA_SCOPE : names.filter((name) => granted.includes(name)).join(' ')),
  };
}
