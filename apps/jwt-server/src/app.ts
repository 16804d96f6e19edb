/**
 * Method 2: the article's time and weather tools behind HS256 JWTs that this server issues itself at
 * POST /token (OAuth client credentials), with revocation and discovery metadata.
 */
import {
  anyRevocation,
  authorizationServerMetadata,
  createClientRevocations,
  createHs256TokenIssuer,
  createHs256Verifier,
  createRevocationEndpoint,
  createTokenEndpoint,
  type OAuthClientStore,
  protectedResourceMetadata,
  type RevocationList,
} from '@mcp-auth/auth';
import {
  createMcpApp,
  type FastifyInstance,
  type Logger,
  logClientAuthFailures,
  mcpSettings,
  registerOAuthRoutes,
  registerProtectedResourceMetadata,
} from '@mcp-auth/mcp-fastify';
import { createGetWeatherTool, createWeatherProvider, getTimeTool } from '@mcp-auth/tools';
import { type JwtServerConfig, MCP_SCOPE } from './config.js';

export const SERVER_NAME = 'jwt-server';

export interface JwtServerDeps {
  clients: OAuthClientStore;
  revocations: RevocationList;
  secret: string;
  logger: Logger;
}

export async function buildApp(config: JwtServerConfig, deps: JwtServerDeps): Promise<FastifyInstance> {
  const { server, weather, issuer, resource } = config;
  const resourceMetadataUrl = `${issuer}/.well-known/oauth-protected-resource`;
  const tokens = createHs256TokenIssuer({ secret: deps.secret, issuer, ttlSeconds: config.tokenTtlSeconds });
  const verifier = createHs256Verifier({
    secret: deps.secret,
    issuer,
    audience: resource,
    // /revoke's token ids and clients revoked by `clients revoke`, from this server's database: written
    // by this process or another on the same file (refused everywhere within RECORD_RECHECK_MS).
    revocations: anyRevocation(deps.revocations, createClientRevocations(deps.clients)),
    clockToleranceSeconds: config.clockToleranceSeconds,
    requiredScope: MCP_SCOPE,
  });

  return createMcpApp({
    serverInfo: { name: SERVER_NAME, version: '0.1.0', title: 'Time and weather (HS256 JWT auth)' },
    tools: [getTimeTool, createGetWeatherTool({ provider: createWeatherProvider(weather), cacheTtlMs: weather.cacheTtlMs })],
    verifier,
    challenge: { realm: SERVER_NAME, resourceMetadataUrl },
    logger: deps.logger,
    ...mcpSettings(server),
    extend: async (app) => {
      const pruner = setInterval(() => deps.revocations.prune(), 10 * 60_000);
      pruner.unref();
      app.addHook('onClose', async () => clearInterval(pruner));
      registerProtectedResourceMetadata(
        app,
        protectedResourceMetadata({
          resource,
          authorizationServers: [issuer],
          scopes: [MCP_SCOPE],
          resourceName: 'jwt-server (time and weather)',
        }),
      );
      await registerOAuthRoutes(app, {
        metadata: authorizationServerMetadata({ issuer, scopes: [MCP_SCOPE], revocation: true }),
        rateLimit: config.rateLimit,
        token: createTokenEndpoint({
          clients: deps.clients,
          defaultAudience: resource,
          resources: [resource],
          realm: SERVER_NAME,
          issue: ({ client, scopes, audience }) =>
            tokens.issue({ subject: client.subject, audience, scope: scopes.join(' '), claims: { client_id: client.clientId } }),
          onClientAuthFailed: logClientAuthFailures(app),
        }),
        revocation: createRevocationEndpoint({
          clients: deps.clients,
          revocations: deps.revocations,
          readToken: (token) => verifier.verifyToken(token),
          realm: SERVER_NAME,
        }),
      });
    },
  });
}
