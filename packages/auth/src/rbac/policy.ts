/**
 * The RBAC policy: which `job_role` may use which server, which tools there, which classes of fields
 * it may see (`pay`, `personal`), and whether it sees every row or only its own (`self`); and the
 * OAuth scopes that cover each server's tools (see scopes.ts for what they mean at run time). Loaded
 * from a JSON file and validated with every problem reported at once; deny is the default for anything
 * the file does not grant.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const ToolGrant = z.union([z.literal('*'), z.array(z.string().min(1)).nonempty()]);

const ServerAccess = z.strictObject({
  tools: ToolGrant,
  fields: z.array(z.enum(['pay', 'personal'])).default([]),
  rows: z.enum(['all', 'self']).default('all'),
});

/** Scope names the umbrella and OAuth/OIDC already give a meaning; a server cannot declare them. */
export const RESERVED_SCOPES: readonly string[] = ['mcp', 'offline_access', 'openid'];

/** RFC 6749 §3.3 scope-token: printable ASCII without space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

const ScopeEntry = z.strictObject({
  /** One line a consent page shows the person ("Approve or reject leave requests"). */
  description: z
    .string()
    .trim()
    .min(1, 'a scope needs a description a consent page can show')
    .max(200, 'keep a scope description to one line (200 characters at most)')
    .refine((d) => !/[\r\n]/.test(d), 'a scope description is one line'),
  /** The tools this scope covers; a tool named by several scopes needs all of them. */
  tools: z.array(z.string().min(1)).nonempty('list at least one tool this scope covers'),
  /**
   * Not asked for when a client connects (not in the 401 challenge's `scope`): requested by step-up
   * when a call needs it. Its tools stay listed so a client can find them (MCP 2025-11-25, Scope
   * Challenge Handling).
   */
  stepUp: z.boolean().default(false),
});

const PolicyServer = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  description: z.string().optional(),
  // Names are checked in scopeProblems: zod reports a bad record key only as "Invalid key in record".
  scopes: z.record(z.string(), ScopeEntry),
});

const PolicyFile = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  version: z.literal(1),
  servers: z.record(z.string().min(1), PolicyServer),
  roles: z.record(z.string().min(1), z.strictObject({ description: z.string().optional(), access: z.record(z.string(), ServerAccess) })),
});

export type RbacPolicy = z.infer<typeof PolicyFile>;
export type PolicyScope = z.infer<typeof ScopeEntry>;
export type ServerGrant = z.infer<typeof ServerAccess>;
export type FieldClass = ServerGrant['fields'][number];

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`The RBAC policy ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Validates a parsed policy document; `source` names it in error messages. */
export function parsePolicy(document: unknown, source: string): RbacPolicy {
  const parsed = PolicyFile.safeParse(document);
  if (!parsed.success) {
    throw new PolicyError(
      source,
      parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`),
    );
  }
  const policy = parsed.data;
  const problems = scopeProblems(policy);
  for (const [role, { access }] of Object.entries(policy.roles)) {
    for (const [server, grant] of Object.entries(access)) {
      const declared = Object.hasOwn(policy.servers, server) ? policy.servers[server] : undefined;
      if (!declared) {
        problems.push(`roles.${role}.access.${server}: no such server in "servers"`);
        continue;
      }
      if (grant.tools === '*') continue;
      const covered = new Set(Object.values(declared.scopes).flatMap((s) => s.tools));
      for (const tool of grant.tools) {
        if (!covered.has(tool))
          problems.push(
            `roles.${role}.access.${server}.tools: "${tool}" is in no scope of servers.${server}.scopes, so no token could call it`,
          );
      }
    }
  }
  if (problems.length > 0) throw new PolicyError(source, problems);
  return policy;
}

/** The scope vocabulary's own rules: names unique across servers, not reserved, a base scope per server. */
function scopeProblems(policy: RbacPolicy): string[] {
  const problems: string[] = [];
  const declaredBy = new Map<string, string>();
  for (const [server, { scopes }] of Object.entries(policy.servers)) {
    const names = Object.keys(scopes);
    if (names.length === 0) problems.push(`servers.${server}.scopes: declare at least one scope covering its tools`);
    else if (names.every((name) => scopes[name]?.stepUp))
      problems.push(
        `servers.${server}.scopes: at least one scope must not be stepUp, so a client has something to ask for when it connects`,
      );
    for (const [name, scope] of Object.entries(scopes)) {
      if (!SCOPE_TOKEN.test(name))
        problems.push(
          `servers.${server}.scopes.${name}: a scope name is printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3)`,
        );
      if (RESERVED_SCOPES.includes(name))
        problems.push(`servers.${server}.scopes.${name}: "${name}" is reserved (${RESERVED_SCOPES.join(', ')}); choose another name`);
      const other = declaredBy.get(name);
      if (other) problems.push(`servers.${server}.scopes.${name}: also declared by ${other}; a scope belongs to one server`);
      declaredBy.set(name, server);
      const seen = new Set<string>();
      for (const tool of scope.tools) {
        if (seen.has(tool)) problems.push(`servers.${server}.scopes.${name}.tools: "${tool}" is listed twice`);
        seen.add(tool);
      }
    }
  }
  return problems;
}

export function loadPolicy(path: string): RbacPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PolicyError(path, [
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); set RBAC_POLICY_FILE to the policy's path`,
    ]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(path, [`is not valid JSON: ${(error as Error).message}`]);
  }
  return parsePolicy(document, path);
}

/** The policy that ships with the project. */
export const DEFAULT_POLICY_PATH = new URL('../../policy/rbac.json', import.meta.url).pathname;

/**
 * Checks a server's real tool list against what the policy grants on it and the scopes that cover it,
 * so a typo in the file stops the server at startup instead of silently granting nothing, and a tool
 * added to the code without a scope cannot be called by anyone holding a narrower token than `mcp`.
 */
export function checkPolicyTools(policy: RbacPolicy, server: string, tools: readonly string[]): void {
  const known = new Set(tools);
  const problems: string[] = [];
  const declared = Object.hasOwn(policy.servers, server) ? policy.servers[server] : undefined;
  if (!declared) problems.push(`servers: "${server}" is missing`);
  else {
    const covered = new Set<string>();
    for (const [name, scope] of Object.entries(declared.scopes)) {
      for (const tool of scope.tools) {
        covered.add(tool);
        if (!known.has(tool))
          problems.push(`servers.${server}.scopes.${name}.tools: "${tool}" is not a tool of ${server} (it has: ${tools.join(', ')})`);
      }
    }
    for (const tool of tools) {
      if (!covered.has(tool)) problems.push(`servers.${server}.scopes: no scope covers the tool "${tool}"; add it to one`);
    }
  }
  for (const [role, { access }] of Object.entries(policy.roles)) {
    const grant = access[server];
    if (!grant || grant.tools === '*') continue;
    for (const tool of grant.tools) {
      if (!known.has(tool))
        problems.push(`roles.${role}.access.${server}.tools: "${tool}" is not a tool of ${server} (it has: ${tools.join(', ')})`);
    }
  }
  if (problems.length > 0) throw new PolicyError('(loaded policy)', problems);
}
