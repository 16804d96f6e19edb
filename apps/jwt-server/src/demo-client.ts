/**
 * Dev mode on a fresh checkout: with no clients registered, create the article's `test_client` with a
 * generated secret and print it once. Never in production.
 */
import { createClient, type OAuthClientStore } from '@mcp-auth/auth';
import { MCP_SCOPE } from './config.js';

export const DEMO_CLIENT_ID = 'test_client';

export function ensureDemoClient(store: OAuthClientStore, production: boolean): string | undefined {
  if (production || store.count() > 0) return undefined;
  return createClient(store, { clientId: DEMO_CLIENT_ID, name: 'demo client (created on first start)', scopes: [MCP_SCOPE] }).secret;
}

export function demoClientBanner(secret: string, issuer: string): string {
  return [
    '',
    `  A demo client was created because none was registered. Its secret is shown this once:`,
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
