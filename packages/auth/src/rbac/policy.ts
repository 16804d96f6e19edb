/**
 * The RBAC policy: which `job_role` may use which server, which tools there, which classes of fields
 * it may see (`pay`, `personal`), and whether it sees every row or only its own (`self`). Loaded from
 * a JSON file and validated with every problem reported at once; deny is the default for anything the
 * file does not grant.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const ToolGrant = z.union([z.literal('*'), z.array(z.string().min(1)).nonempty()]);

const ServerAccess = z.strictObject({
  tools: ToolGrant,
  fields: z.array(z.enum(['pay', 'personal'])).default([]),
  rows: z.enum(['all', 'self']).default('all'),
});

const PolicyFile = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  version: z.literal(1),
  servers: z.record(z.string().min(1), z.strictObject({ url: z.url({ protocol: /^https?$/ }), description: z.string().optional() })),
  roles: z.record(z.string().min(1), z.strictObject({ description: z.string().optional(), access: z.record(z.string(), ServerAccess) })),
});

export type RbacPolicy = z.infer<typeof PolicyFile>;
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
  const problems: string[] = [];
  for (const [role, { access }] of Object.entries(policy.roles)) {
    for (const server of Object.keys(access)) {
      if (!policy.servers[server]) problems.push(`roles.${role}.access.${server}: no such server in "servers"`);
    }
  }
  if (problems.length > 0) throw new PolicyError(source, problems);
  return policy;
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
 * Checks a server's real tool list against what the policy grants on it, so a typo in the file stops
 * the server at startup instead of silently granting nothing.
 */
export function checkPolicyTools(policy: RbacPolicy, server: string, tools: readonly string[]): void {
  const known = new Set(tools);
  const problems: string[] = [];
  if (!policy.servers[server]) problems.push(`servers: "${server}" is missing`);
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
