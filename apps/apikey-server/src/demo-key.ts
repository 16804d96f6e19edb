/**
 * Dev mode on a fresh checkout: with no keys at all, create one so `pnpm dev` works without a setup
 * step. Never in production, where an operator creates keys with the CLI.
 *
 * The key is saved to DATA_DIR/demo-credentials.json (0600) the moment it is created, before the
 * server listens, so a first start that fails (port in use) loses nothing: every later dev start shows
 * it again from that file while that key is active, and if the file is gone while the demo key is
 * still active, the demo key is replaced by a new one (its secret was lost with the file).
 *
 * On a shared database (DATABASE_URL), replicas each have a DATA_DIR of their own: a replica without
 * the file is not one that lost it, and replacing the demo key would end the key another replica
 * handed out. There the demo key is only ever created, by the one replica that finds no keys at all
 * (createFirstApiKey: of replicas starting together on an empty database, exactly one), and the
 * others say where it is.
 */
import { join } from 'node:path';
import { type ApiKeyStore, apiKeyStatus, createFirstApiKey, parseApiKey, rotateApiKey } from '@mcp-auth/auth';
import { type DemoOrigin, readSecretFile, writeSecretFile } from '@mcp-auth/mcp-fastify';

export const DEMO_KEY_NAME = 'demo (created on first start)';

export const demoKeyFile = (dataDir: string) => join(dataDir, 'demo-credentials.json');

const isActive = async (store: ApiKeyStore, id: string) => {
  const record = await store.findById(id);
  return record !== undefined && apiKeyStatus(record) === 'active';
};

export async function ensureDemoKey(
  store: ApiKeyStore,
  options: { production: boolean; file: string; sharedDatabase: boolean },
): Promise<{ key: string; origin: DemoOrigin } | { elsewhere: true } | undefined> {
  const { production, file, sharedDatabase } = options;
  if (production) return undefined;
  const saved = readSecretFile(file) as { api_key?: unknown } | undefined;
  if (saved !== undefined) {
    // A key rotated or revoked since is not shown; the file is left as it is (the operator acted).
    const key = typeof saved.api_key === 'string' ? saved.api_key : '';
    const parsed = parseApiKey(key);
    return parsed && (await isActive(store, parsed.id)) ? { key, origin: 'saved' } : undefined;
  }
  let issued: { key: string; origin: DemoOrigin } | undefined;
  const first = await createFirstApiKey(store, { name: DEMO_KEY_NAME });
  if (first) {
    issued = { key: first.key, origin: 'created' };
  } else {
    const demo = (await store.list()).find((r) => r.name === DEMO_KEY_NAME && apiKeyStatus(r) === 'active');
    if (!demo) return undefined; // keys of the operator's own, or the demo key was revoked: leave them be
    if (sharedDatabase) return { elsewhere: true };
    issued = { key: (await rotateApiKey(store, demo.id, { overlapMs: 0 })).created.key, origin: 'reissued' };
  }
  writeSecretFile(file, { api_key: issued.key, note: 'Dev-mode demo API key (apikey-server). Send it as X-API-Key.' });
  return issued;
}

export function demoKeyBanner(key: string, url: string): string {
  return [
    '',
    '  Demo API key (dev mode):',
    '',
    `    ${key}`,
    '',
    `  Try it:  curl -s ${url}/mcp -H 'X-API-Key: ${key}' \\`,
    `             -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \\`,
    `             -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_time","arguments":{"timezone":"Asia/Dubai"}}}'`,
    '  Manage keys:  pnpm --filter apikey-server keys list|create|revoke|rotate',
    '',
  ].join('\n');
}
