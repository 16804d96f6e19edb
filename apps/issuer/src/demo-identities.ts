/**
 * Dev mode on a fresh checkout: the article's people as registered clients, one per role, with
 * generated secrets. Their `id` claims match the HR demo data's employee numbers.
 *
 * The secrets are saved beside the keys (MCP_AUTH_DIR/demo-credentials.json, 0600, gitignored) the
 * moment they are created, before the issuer listens, so a first start that fails (port in use) loses
 * nothing, and the agent signs in as `--user alice` from that file. Every later dev start shows the
 * ones that still work; if the file is gone, the demo identities still active get new secrets (the old
 * ones were lost with it). Production never creates or writes them.
 *
 * On a shared database (DATABASE_URL) they are only ever created, by the first replica to find no
 * clients (one that loses the race finds them made): a replica without the file may be one whose
 * MCP_AUTH_DIR is not shared, and new secrets would end the ones another replica saved.
 */
import { createClient, hashClientSecret, type OAuthClientStore, rotateClientSecret } from '@mcp-auth/auth';
import { type DemoOrigin, readSecretFile, writeSecretFile } from '@mcp-auth/mcp-fastify';

export const DEMO_IDENTITIES = [
  { clientId: 'alice', name: 'Alice', role: 'Manager', id: 'EMP-001' },
  { clientId: 'bob', name: 'Bob', role: 'AssistantManager', id: 'EMP-002' },
  { clientId: 'carol', name: 'Carol', role: 'Employee', id: 'EMP-003' },
] as const;

export interface DemoIdentity {
  clientId: string;
  role: string;
  secret: string;
}

type SavedFile = { clients?: Record<string, { client_secret?: unknown; job_role?: unknown }> } | undefined;

async function works(store: OAuthClientStore, clientId: string, secret: string): Promise<boolean> {
  const record = await store.findById(clientId);
  return record !== undefined && !record.revokedAt && hashClientSecret(clientId, secret).equals(record.secretHash);
}

export interface DemoIdentityOptions {
  production: boolean;
  file: string;
  issuerUrl: string;
  /** DATABASE_URL is set: other replicas share the clients. */
  sharedDatabase: boolean;
}

export async function ensureDemoIdentities(
  store: OAuthClientStore,
  { production, file, issuerUrl, sharedDatabase }: DemoIdentityOptions,
): Promise<{ identities: DemoIdentity[]; origin: DemoOrigin } | { elsewhere: true } | undefined> {
  if (production) return undefined;
  const saved = readSecretFile(file) as SavedFile;
  if (saved !== undefined) {
    // Secrets rotated or clients revoked since are not shown; the file is left as it is.
    const identities: DemoIdentity[] = [];
    for (const [clientId, c] of Object.entries(saved.clients ?? {})) {
      if (typeof c.client_secret === 'string' && (await works(store, clientId, c.client_secret)))
        identities.push({ clientId, role: String(c.job_role ?? ''), secret: c.client_secret });
    }
    return identities.length > 0 ? { identities, origin: 'saved' } : undefined;
  }
  let result: { identities: DemoIdentity[]; origin: DemoOrigin };
  if ((await store.count()) === 0) {
    const identities: DemoIdentity[] = [];
    for (const who of DEMO_IDENTITIES) {
      try {
        const { secret } = await createClient(store, {
          clientId: who.clientId,
          name: who.name,
          role: who.role,
          claims: { id: who.id },
          scopes: ['mcp'],
        });
        identities.push({ clientId: who.clientId, role: who.role, secret });
      } catch (error) {
        // Another replica, started at the same moment, is creating them.
        if (sharedDatabase && (await store.findById(who.clientId))) return { elsewhere: true };
        throw error;
      }
    }
    result = { identities, origin: 'created' };
  } else {
    if (sharedDatabase) return (await store.findById(DEMO_IDENTITIES[0].clientId)) ? { elsewhere: true } : undefined;
    const identities: DemoIdentity[] = [];
    for (const who of DEMO_IDENTITIES) {
      const record = await store.findById(who.clientId);
      if (!record || record.revokedAt) continue;
      const { secret } = await rotateClientSecret(store, who.clientId, { overlapMs: 0 });
      identities.push({ clientId: who.clientId, role: record.role ?? who.role, secret });
    }
    if (identities.length === 0) return undefined; // the operator's own clients: leave them be
    result = { identities, origin: 'reissued' };
  }
  const clients = Object.fromEntries(result.identities.map((c) => [c.clientId, { client_secret: c.secret, job_role: c.role }]));
  writeSecretFile(file, { issuer_url: issuerUrl, clients });
  return result;
}

export function demoIdentitiesBanner(identities: DemoIdentity[], publicUrl: string): string {
  const first = identities[0];
  return [
    '',
    '  Demo identities (dev mode):',
    '',
    ...identities.map((c) => `    ${c.clientId.padEnd(6)} ${c.role.padEnd(17)} ${c.secret}`),
    '',
    first ? `  Get a token:  curl -s ${publicUrl}/token -u '${first.clientId}:${first.secret}' -d grant_type=client_credentials` : '',
    '  Or sign in with the agent:  pnpm agent --user alice',
    '  Manage identities:  pnpm --filter issuer clients list|create|revoke|rotate',
    '',
  ].join('\n');
}
