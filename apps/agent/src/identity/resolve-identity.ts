/** Turns the identity options into a credential source, explaining plainly what is missing. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRs256TokenIssuer, loadKeySet } from '@mcp-auth/auth';
import { UsageError, workspaceRoot } from '@mcp-auth/mcp-fastify';
import type { IdentityOptions } from '../args.js';
import type { AskSecret } from './ask-secret.js';
import { requestToken } from './client-credentials.js';
import { bearerSource, type CredentialSource } from './token-source.js';

export function keyDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.MCP_AUTH_DIR ?? join(workspaceRoot() ?? process.cwd(), 'mcp_auth');
}

function demoSecret(env: Readonly<Record<string, string | undefined>>, clientId: string): string | undefined {
  const file = join(keyDir(env), 'demo-credentials.json');
  if (!existsSync(file)) return undefined;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { clients?: Record<string, { client_secret?: string }> };
  return saved.clients?.[clientId]?.client_secret;
}

/**
 * `env` has no blank entries (runAgent drops them: blank means unset). `ask` prompts for a secret
 * with hidden input when a person is at a terminal.
 */
export async function resolveIdentity(
  identity: IdentityOptions,
  env: Readonly<Record<string, string | undefined>>,
  ask: AskSecret | undefined,
): Promise<CredentialSource> {
  switch (identity.kind) {
    case 'client-credentials': {
      const secret = identity.secret ?? demoSecret(env, identity.clientId) ?? (await ask?.(`Client secret for ${identity.clientId}: `));
      if (!secret) {
        throw new UsageError(
          `No secret for ${identity.clientId}: set AGENT_CLIENT_SECRET (dev mode saves demo secrets in mcp_auth/demo-credentials.json when the issuer first starts)`,
        );
      }
      return bearerSource(
        () => requestToken(`${identity.issuerUrl}/token`, identity.clientId, secret),
        `client credentials for ${identity.clientId} at ${identity.issuerUrl}`,
      );
    }
    case 'dev-token': {
      const dir = keyDir(env);
      return bearerSource(
        async () => {
          const keys = loadKeySet(dir);
          const issuer = createRs256TokenIssuer({
            keys: { current: () => keys.signing },
            issuer: identity.issuer,
            ttlSeconds: identity.ttlSeconds,
          });
          const name = identity.name ?? identity.sub.charAt(0).toUpperCase() + identity.sub.slice(1);
          const { token } = await issuer.issue({
            subject: identity.sub,
            audience: env.DEFAULT_AUDIENCE ?? 'my-mcp-server',
            scope: 'mcp',
            claims: { name, ...(identity.role ? { job_role: identity.role } : {}), ...(identity.id ? { id: identity.id } : {}) },
          });
          return token;
        },
        `a dev token signed locally with ${join(dir, 'private.pem')}`,
      );
    }
    case 'jwt-client': {
      const secret = identity.secret ?? (await ask?.(`Client secret for ${identity.clientId}: `));
      if (!secret) throw new UsageError(`No secret for ${identity.clientId}: set AGENT_CLIENT_SECRET`);
      return bearerSource(
        () => requestToken(`${identity.url}/token`, identity.clientId, secret),
        `client credentials for ${identity.clientId} at ${identity.url}`,
      );
    }
    case 'api-key': {
      const key = identity.key ?? (await ask?.('API key: '));
      if (!key) throw new UsageError('No API key: set MCP_API_KEY');
      const credential = { headers: { 'x-api-key': key }, claims: undefined };
      return { description: `API key ${key.slice(0, 21)}...`, current: async () => credential, renew: undefined };
    }
  }
}
