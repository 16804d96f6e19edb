/**
 * What `pnpm compare` puts its battery to: each method's URLs and the credentials the battery may use.
 * A run on embedded defaults fills every field (it controls the secrets and the admin commands);
 * a targets file (`pnpm compare --targets targets.json`) names servers this run did not start, and
 * each attack that needs something the file does not give (an expired key, the signing secret, a
 * second identity) is reported as "not run", with what it needs, instead of being guessed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((u) => u.replace(/\/+$/, ''));
const client = z.strictObject({ clientId: z.string().min(1), clientSecret: z.string().min(1) });

const apiKeyTarget = z.strictObject({
  /** Server base URL (the battery posts to `<url>/mcp`). */
  url,
  key: z.string().min(1),
  /** A second principal's key, for the session-replay attack. */
  otherKey: z.string().min(1).optional(),
  expiredKey: z.string().min(1).optional(),
  revokedKey: z.string().min(1).optional(),
  /** The same server with auth off, the cost baseline. */
  openUrl: url.optional(),
});

const jwtTarget = z.strictObject({
  url,
  client,
  /** A second client, for the session-replay attack (or give the signing secret). */
  otherClient: client.optional(),
  /** The server's JWT_SECRET: lets the battery forge expired and wrong-audience tokens. */
  signingSecret: z.string().min(1).optional(),
  openUrl: url.optional(),
});

const rbacTarget = z.strictObject({
  issuerUrl: url,
  /** The resource server attacked (an hr-server: the battery calls its tools). */
  hrUrl: url,
  /** A crm-server, to check that an Employee is refused there. */
  crmUrl: url.optional(),
  /** A Manager identity at the issuer. */
  manager: client,
  /** A second identity, for the session-replay attack. */
  other: client.optional(),
  /** An Employee identity, for the role-escalation attack. */
  employee: client.optional(),
  /** The issuer's key folder (private.pem): lets the battery sign expired and wrong-audience tokens. */
  keyDir: z.string().min(1).optional(),
  openUrl: url.optional(),
});

export const targetsFile = z.strictObject({
  apikey: apiKeyTarget.optional(),
  jwt: jwtTarget.optional(),
  rbac: rbacTarget.optional(),
});

/** Admin actions only a run that owns the servers can take (create keys, rotate). */
export interface LocalAdmin {
  /** Rotates a credential and reports whether old and new both work afterwards. */
  checkRotation(): Promise<boolean>;
}

export type ApiKeyTarget = z.infer<typeof apiKeyTarget> & { admin?: LocalAdmin };
export type JwtTarget = z.infer<typeof jwtTarget> & { admin?: LocalAdmin };
export type RbacTarget = z.infer<typeof rbacTarget> & { admin?: LocalAdmin };
export interface Targets {
  apikey?: ApiKeyTarget;
  jwt?: JwtTarget;
  rbac?: RbacTarget;
}

export class TargetsError extends Error {
  override readonly name = 'TargetsError';
}

export function parseTargets(json: unknown, source: string): Targets {
  const parsed = targetsFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`).join('\n');
    throw new TargetsError(`${source} is not a valid targets file:\n${problems}\nSee bench/targets.example.json.`);
  }
  if (!parsed.data.apikey && !parsed.data.jwt && !parsed.data.rbac) {
    throw new TargetsError(`${source} names no method: give at least one of "apikey", "jwt", "rbac"`);
  }
  return parsed.data;
}

export function readTargets(path: string): Targets {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TargetsError(`Cannot read the targets file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TargetsError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const targets = parseTargets(json, path);
  if (targets.rbac?.keyDir) {
    // Relative to the file, like any path written in a config file.
    const keyDir = resolve(dirname(path), targets.rbac.keyDir);
    if (!existsSync(join(keyDir, 'private.pem'))) throw new TargetsError(`rbac.keyDir in ${path}: there is no private.pem in ${keyDir}`);
    targets.rbac.keyDir = keyDir;
  }
  return targets;
}

/** Fails early, in plain words, when a server named in the targets does not answer. */
export async function checkReachable(targets: Targets): Promise<void> {
  const urls = [
    targets.apikey?.url,
    targets.apikey?.openUrl,
    targets.jwt?.url,
    targets.jwt?.openUrl,
    targets.rbac?.issuerUrl,
    targets.rbac?.hrUrl,
    targets.rbac?.crmUrl,
    targets.rbac?.openUrl,
  ].filter((u): u is string => Boolean(u));
  for (const base of urls) {
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new TargetsError(`Cannot reach ${base} (${cause}): is the server running, and is the URL right?`);
    }
  }
}
