/**
 * Where a token's RBAC roles come from. Identity providers put them in different shapes:
 *
 *   this project's issuer  `job_role: "Manager"`                       a string
 *   Entra ID app roles     `roles: ["HR.Manager"]`                     an array
 *   Keycloak realm roles   `realm_access: { roles: ["hr-manager"] }`   a nested path
 *   Keycloak client roles  `resource_access: { hr-mcp: { roles: [...] } }`
 *   groups                 `groups: ["/hr/managers"]` (Keycloak), object ids (Entra)
 *
 * The role claim is a dotted path into the claims; the values it holds are policy role names as they
 * are, or, with a role map, the IdP's own names translated to policy roles (and only those mapped).
 */

/** IdP role or group value -> the policy role it grants. */
export type RoleMap = ReadonlyMap<string, string>;

export interface RoleSource {
  /** Claim name or dotted path (`realm_access.roles`). A claim whose own name has dots is found first. */
  claim: string;
  /** When set, only values it maps count; when unset, the values are policy role names. */
  map?: RoleMap | undefined;
}

/**
 * The value at `path`: the claim of that exact name if there is one (Auth0-style namespaced claims
 * such as `https://example.com/roles` contain dots), else the path's segments followed through
 * nested objects. Own properties only, so `__proto__` or `constructor` never reach the prototype.
 */
export function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** The strings a role claim holds: one string, or the strings of an array (anything else is ignored). */
function roleValues(value: unknown): string[] {
  if (typeof value === 'string') return value ? [value] : [];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return [];
}

/** The policy roles a token's claims carry, deduplicated, in the token's order. */
export function rolesFromClaims(claims: Readonly<Record<string, unknown>>, source: RoleSource): string[] {
  const values = roleValues(claimAt(claims, source.claim));
  const { map } = source;
  const roles = map ? values.flatMap((v) => (map.has(v) ? [map.get(v) as string] : [])) : values;
  return [...new Set(roles)];
}

/**
 * Parses a role map: `idp-value=PolicyRole,other=Role` or, for values holding `=` or `,` (LDAP group
 * DNs), a JSON object `{"CN=HR Managers,OU=Groups": "Manager"}`. Throws an Error naming the mistake.
 */
export function parseRoleMap(text: string): RoleMap {
  const trimmed = text.trim();
  const entries: [string, string][] = [];
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new Error(`is not valid JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be a JSON object');
    for (const [from, to] of Object.entries(parsed)) {
      if (typeof to !== 'string' || !to.trim() || !from) throw new Error(`"${from}" must map to a role name (a non-empty string)`);
      entries.push([from, to.trim()]);
    }
  } else {
    for (const pair of trimmed.split(',')) {
      if (!pair.trim()) continue;
      const at = pair.lastIndexOf('=');
      const from = pair.slice(0, at).trim();
      const to = pair.slice(at + 1).trim();
      if (at < 0 || !from || !to) throw new Error(`"${pair.trim()}" is not idp-value=PolicyRole`);
      entries.push([from, to]);
    }
  }
  const map = new Map<string, string>();
  for (const [from, to] of entries) {
    if (map.has(from) && map.get(from) !== to) throw new Error(`"${from}" is mapped twice (to ${map.get(from)} and ${to})`);
    map.set(from, to);
  }
  if (map.size === 0) throw new Error('maps nothing');
  return map;
}
