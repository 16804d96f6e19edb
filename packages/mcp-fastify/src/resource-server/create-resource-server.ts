/**
 * A method 3 resource server: MCP tools behind RS256 tokens from the issuer, with the RBAC policy
 * enforced here (not by the client, as in the reference demo): 403 for roles the policy does not
 * grant this server, per-role tool lists, refused calls, and field and row grants handed to tools.
 */
import {
  checkPolicyTools,
  createJwksClient,
  createRs256Verifier,
  decideAccess,
  loadPolicy,
  protectedResourceMetadata,
  type RbacPolicy,
  readPublicKeyFile,
} from '@mcp-auth/auth';
import type { ToolDefinition } from '@mcp-auth/tools';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createMcpApp } from '../app/create-mcp-app.js';
import { mcpSettings } from '../config/app-settings.js';
import { registerProtectedResourceMetadata } from '../oauth/oauth-routes.js';
import { issuerKeysCheck } from './issuer-keys-check.js';
import type { ResourceServerConfig } from './resource-server-config.js';

export interface ResourceServerOptions {
  name: string;
  title: string;
  config: ResourceServerConfig;
  tools: readonly ToolDefinition[];
  logger: Logger;
  /** Defaults to the policy file named by the config. */
  policy?: RbacPolicy;
}

export async function createResourceServer(options: ResourceServerOptions): Promise<FastifyInstance> {
  const { config, name } = options;
  const policy = options.policy ?? loadPolicy(config.policyFile);
  checkPolicyTools(
    policy,
    name,
    options.tools.map((t) => t.name),
  );

  let keys: Parameters<typeof createRs256Verifier>[0]['keys'];
  if ('publicKeyFile' in config.keys) {
    keys = { publicPem: readPublicKeyFile(config.keys.publicKeyFile) };
  } else {
    const { jwksUrl } = config.keys;
    const jwks = createJwksClient({
      url: jwksUrl,
      cooldownMs: config.keys.cooldownMs,
      onRefreshFailed: (error) =>
        options.logger.warn({ jwksUrl, reason: String((error as Error).message ?? error) }, 'JWKS refresh failed; using cached keys'),
    });
    // Fetch now so the first request does not wait; if the issuer is down, requests retry it.
    void jwks.prime().then((ok) => {
      if (!ok) options.logger.warn({ jwksUrl }, 'issuer unreachable at startup: requests get 503 until its keys can be fetched');
    });
    keys = { jwks };
  }

  const resourceMetadataUrl = `${config.publicUrl}/.well-known/oauth-protected-resource`;
  const app = await createMcpApp({
    serverInfo: { name, version: '0.1.0', title: options.title },
    tools: options.tools,
    verifier: createRs256Verifier({
      keys,
      issuer: config.issuer,
      audiences: config.audiences,
      roleClaim: config.roleClaim,
      clockToleranceSeconds: config.clockToleranceSeconds,
    }),
    access: (principal) => decideAccess(policy, name, principal),
    challenge: { realm: name, resourceMetadataUrl },
    logger: options.logger,
    ...mcpSettings(config.server),
    extend: async (app) => {
      registerProtectedResourceMetadata(
        app,
        protectedResourceMetadata({
          resource: config.resource,
          authorizationServers: [config.issuerUrl],
          scopes: ['mcp'],
          resourceName: options.title,
        }),
      );
    },
  });
  // Not ready until it can verify a token: with a pinned PUBLIC_KEY_FILE it can from the start.
  if ('jwks' in keys) app.readiness.add('issuer_keys', issuerKeysCheck(keys.jwks));
  return app;
}
