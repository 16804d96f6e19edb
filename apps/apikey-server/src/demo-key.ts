/**
 * Dev mode on a fresh checkout: with no keys at all, create one and print it once, so `pnpm dev`
 * works without a setup step. Never in production, where an operator creates keys with the CLI.
 */
import { type ApiKeyStore, createApiKey } from '@mcp-auth/auth';

export function ensureDemoKey(store: ApiKeyStore, production: boolean): string | undefined {
  if (production || store.count() > 0) return undefined;
  return createApiKey(store, { name: 'demo (created on first start)' }).key;
}

export function demoKeyBanner(key: string, url: string): string {
  return [
    '',
    '  A demo API key was created because the key store was empty. It is shown this once:',
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
