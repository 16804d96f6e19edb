/**
 * Method 3's authority: issues RS256 access tokens by OAuth client credentials to registered
 * identities (each with a subject, a display name and a job_role), and publishes its public keys.
 * Resource servers never see a private key: they verify against /.well-known/jwks.json.
 */
import {
  authorizationServerMetadata,
  createRs256TokenIssuer,
  createTokenEndpoint,
  type KeyRing,
  type OAuthClientStore,
} from '@mcp-auth/auth';
import { createHttpApp, type FastifyInstance, httpSettings, type Logger, registerOAuthRoutes } from '@mcp-auth/mcp-fastify';
import type { IssuerConfig } from './config.js';
import { signingKeysCheck } from './signing-keys.js';

export const SERVER_NAME = 'issuer';

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href.replace(/\/$/, '') === new URL(b).href.replace(/\/$/, '');
  } catch {
    return false;
  }
}

export async function buildApp(
  config: IssuerConfig,
  deps: { clients: OAuthClientStore; keys: KeyRing; logger: Logger },
): Promise<FastifyInstance> {
  const { server, publicUrl } = config;
  const app = await createHttpApp({
    name: SERVER_NAME,
    logger: deps.logger,
    ...httpSettings(server),
  });
  app.readiness.add('signing_keys', signingKeysCheck(deps.keys));
  const tokens = createRs256TokenIssuer({ keys: deps.keys, issuer: config.issuer, ttlSeconds: config.tokenTtlSeconds });
  if (!sameUrl(config.issuer, publicUrl)) {
    // RFC 8414 §3.3: the metadata's issuer must be the URL it was discovered at. The SDK client does
    // not check (it keys on the URL), but stricter clients refuse the mismatch.
    app.log[server.production ? 'warn' : 'info'](
      { issuer: config.issuer, publicUrl },
      "ISSUER is not this server's public URL: OAuth discovery by strict clients needs ISSUER=PUBLIC_URL (and resource servers the same ISSUER)",
    );
  }

  // Public keys only. Short caching: a rotated-in key is published at once, and resource servers
  // refetch on an unknown kid anyway.
  app.get('/.well-known/jwks.json', async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(deps.keys.jwks()));

  await registerOAuthRoutes(app, {
    metadata: authorizationServerMetadata({
      issuer: config.issuer,
      baseUrl: publicUrl,
      scopes: ['mcp'],
      jwksUri: `${publicUrl}/.well-known/jwks.json`,
    }),
    rateLimit: config.rateLimit,
    token: createTokenEndpoint({
      clients: deps.clients,
      defaultAudience: config.defaultAudience,
      resources: config.resources,
      realm: SERVER_NAME,
      issue: ({ client, scopes, audience }) =>
        tokens.issue({
          subject: client.subject,
          audience,
          scope: scopes.join(' '),
          claims: { ...client.claims, client_id: client.clientId, name: client.name, ...(client.role ? { job_role: client.role } : {}) },
        }),
      onClientAuthFailed: (clientId, reason) => app.log.warn({ clientId, reason }, 'client authentication failed'),
    }),
  });
  return app;
}
