/**
 * Method 3's authority: issues RS256 access tokens by OAuth client credentials to registered
 * identities (each with a subject, a display name and a job_role), and publishes its public keys and
 * its revocations. Resource servers never see a private key: they verify against
 * /.well-known/jwks.json and refuse what /revocations lists (revoked clients, and tokens revoked by
 * RFC 7009 /revoke), polling both in the background.
 */
import {
  authorizationServerMetadata,
  buildRevocationFeed,
  createRevocationEndpoint,
  createRs256TokenIssuer,
  createRs256Verifier,
  createTokenEndpoint,
  type KeyRing,
  type OAuthClientStore,
  type RevocationList,
} from '@mcp-auth/auth';
import {
  createHttpApp,
  type FastifyInstance,
  httpSettings,
  type Logger,
  logClientAuthFailures,
  registerOAuthRoutes,
} from '@mcp-auth/mcp-fastify';
import type { IssuerConfig } from './config.js';
import { ownPublicKeys } from './own-public-keys.js';
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
  deps: { clients: OAuthClientStore; keys: KeyRing; revocations: RevocationList; logger: Logger },
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

  // Revocations for resource servers to poll (REVOCATION_POLL_SECONDS there). Read from the database
  // on each request, so `clients revoke` in another process is listed at once. Not cached: a poller
  // must not be told an old list is current.
  app.get('/revocations', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send(
      buildRevocationFeed({
        issuer: config.issuer,
        clients: deps.clients,
        tokens: deps.revocations,
        tokenTtlSeconds: config.tokenTtlSeconds,
      }),
    ),
  );
  const pruner = setInterval(() => deps.revocations.prune(), 10 * 60_000);
  pruner.unref();
  app.addHook('onClose', async () => clearInterval(pruner));
  // Reads its own tokens for /revoke: signature and issuer checked, any audience it issues for.
  const ownTokens = createRs256Verifier({
    keys: { jwks: ownPublicKeys(deps.keys) },
    issuer: config.issuer,
    audiences: [config.defaultAudience, ...config.resources],
  });

  await registerOAuthRoutes(app, {
    metadata: authorizationServerMetadata({
      issuer: config.issuer,
      baseUrl: publicUrl,
      scopes: ['mcp'],
      jwksUri: `${publicUrl}/.well-known/jwks.json`,
      revocation: true,
    }),
    revocation: createRevocationEndpoint({
      clients: deps.clients,
      revocations: deps.revocations,
      readToken: (token) => ownTokens.verifyToken(token),
      realm: SERVER_NAME,
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
      onClientAuthFailed: logClientAuthFailures(app),
    }),
  });
  return app;
}
