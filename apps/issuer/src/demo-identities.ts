/**
 * Dev mode on a fresh checkout: the article's people as registered clients, one per role, with
 * generated secrets printed once. Their `id` claims match the HR demo data's employee numbers.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient, type OAuthClientStore } from '@mcp-auth/auth';

export const DEMO_IDENTITIES = [
  { clientId: 'alice', name: 'Alice', role: 'Manager', id: 'EMP-001' },
  { clientId: 'bob', name: 'Bob', role: 'AssistantManager', id: 'EMP-002' },
  { clientId: 'carol', name: 'Carol', role: 'Employee', id: 'EMP-003' },
] as const;

export function ensureDemoIdentities(
  store: OAuthClientStore,
  production: boolean,
): Array<{ clientId: string; role: string; secret: string }> {
  if (production || store.count() > 0) return [];
  return DEMO_IDENTITIES.map((who) => {
    const { secret } = createClient(store, {
      clientId: who.clientId,
      name: who.name,
      role: who.role,
      claims: { id: who.id },
      scopes: ['mcp'],
    });
    return { clientId: who.clientId, role: who.role, secret };
  });
}

export function demoIdentitiesBanner(created: Array<{ clientId: string; role: string; secret: string }>, publicUrl: string): string {
  const first = created[0];
  return [
    '',
    '  Demo identities were created because none were registered. Their secrets are shown this once:',
    '',
    ...created.map((c) => `    ${c.clientId.padEnd(6)} ${c.role.padEnd(17)} ${c.secret}`),
    '',
    first ? `  Get a token:  curl -s ${publicUrl}/token -u '${first.clientId}:${first.secret}' -d grant_type=client_credentials` : '',
    '  Manage identities:  pnpm --filter issuer clients list|create|revoke|rotate',
    '',
  ].join('\n');
}

/**
 * Dev mode only: the demo secrets also go to a gitignored file (mode 0600) beside the keys, so the
 * agent can sign in as `--user alice` on a fresh checkout. Production never writes it.
 */
export function saveDemoCredentials(
  path: string,
  issuerUrl: string,
  created: Array<{ clientId: string; role: string; secret: string }>,
): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const clients = Object.fromEntries(created.map((c) => [c.clientId, { client_secret: c.secret, job_role: c.role }]));
  writeFileSync(path, `${JSON.stringify({ issuer_url: issuerUrl, clients }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
