/**
 * Dev mode on a fresh checkout: with no clients registered, create the article's `test_client` with a
 * generated secret. Never in production.
 *
 * The secret is saved to DATA_DIR/demo-credentials.json (0600) the moment it is created, before the
 * server listens, so a first start that fails (port in use) loses nothing: every later dev start shows
 * it again while it still works, and if the file is gone while test_client is active, test_client
 * gets a new secret (the old one was lost with the file).
 *
 * On a shared database (DATABASE_URL), replicas each have a DATA_DIR of their own: a replica without
 * the file is not one that lost it, and a new secret would end the one another replica handed out.
 * There test_client is only ever created, by the first replica to find no clients (a replica that
 * loses the race to create it finds it made), and the others say where it is.
 */
import { join } from 'node:path';
import { createClient, hashClientSecret, type OAuthClientStore, rotateClientSecret } from '@mcp-auth/auth';
import { type DemoOrigin, readSecretFile, writeSecretFile } from '@mcp-auth/mcp-fastify';
import { MCP_SCOPE } from './config.js';

export const DEMO_CLIENT_ID = 'test_client';

export const demoClientFile = (dataDir: string) => join(dataDir, 'demo-credentials.json');

async function works(store: OAuthClientStore, secret: string): Promise<boolean> {
  const record = await store.findById(DEMO_CLIENT_ID);
  return record !== undefined && !record.revokedAt && hashClientSecret(DEMO_CLIENT_ID, secret).equals(record.secretHash);
}

export interface DemoClientOptions {
  production: boolean;
  file: string;
  /** DATABASE_URL is set: other replicas share the clients. */
  sharedDatabase: boolean;
}

export async function ensureDemoClient(
  store: OAuthClientStore,
  { production, file, sharedDatabase }: DemoClientOptions,
): Promise<{ secret: string; origin: DemoOrigin } | { elsewhere: true } | undefined> {
  if (production) return undefined;
  const saved = readSecretFile(file) as { client_secret?: unknown } | undefined;
  if (saved !== undefined) {
    // A secret rotated or a client revoked since is not shown; the file is left as it is.
    const secret = typeof saved.client_secret === 'string' ? saved.client_secret : '';
    return (await works(store, secret)) ? { secret, origin: 'saved' } : undefined;
  }
  let issued: { secret: string; origin: DemoOrigin };
  if ((await store.count()) === 0) {
    try {
      const { secret } = await createClient(store, {
        clientId: DEMO_CLIENT_ID,
        name: 'demo client (created on first start)',
        scopes: [MCP_SCOPE],
      });
      issued = { secret, origin: 'created' };
    } catch (error) {
      if (sharedDatabase && (await store.findById(DEMO_CLIENT_ID))) return { elsewhere: true };
      throw error;
    }
  } else {
    const demo = await store.findById(DEMO_CLIENT_ID);
    if (!demo || demo.revokedAt) return undefined; // the operator's own clients: leave them be
    if (sharedDatabase) return { elsewhere: true };
    issued = { secret: (await rotateClientSecret(store, DEMO_CLIENT_ID, { overlapMs: 0 })).secret, origin: 'reissued' };
  }
  writeSecretFile(file, { client_id: DEMO_CLIENT_ID, client_secret: issued.secret, note: 'Dev-mode demo client (jwt-server).' });
  return issued;
}

export function demoClientBanner(secret: string, issuer: string): string {
  return [
    '',
    '  Demo client (dev mode):',
    '',
    `    client_id:     ${DEMO_CLIENT_ID}`,
    `    client_secret: ${secret}`,
    '',
    `  Get a token:  curl -s ${issuer}/token -u '${DEMO_CLIENT_ID}:${secret}' -d grant_type=client_credentials`,
    `  (or the article's form: curl -s ${issuer}/token -H 'content-type: application/json' \\`,
    `     -d '{"client_id":"${DEMO_CLIENT_ID}","client_secret":"${secret}"}')`,
    '  Manage clients:  pnpm --filter jwt-server clients list|create|revoke|rotate',
    '',
  ].join('\n');
}
