/**
 * A method 3 resource server: MCP tools behind RS256 tokens from the issuer (this project's, or an
 * outside IdP found by discovery: see resource-server-config.ts), with the RBAC policy
 * enforced here (not by the client, as in the reference demo): 403 for roles the policy does not
 * grant this server, per-role tool lists, refused calls, and field and row grants handed to tools.
 */
import {
  accessDecider,
  checkPolicyTools,
  createRevocationFeedClient,
  createRs256Verifier,
  loadPolicy,
  protectedResourceMetadata,
  type RbacPolicy,
  serverScopes,
  toolScopeRule,
} from '@mcp-auth/auth';
import type { ToolDefinition } from '@mcp-auth/tools';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createMcpApp } from '../app/create-mcp-app.js';
import { mcpSettings } from '../config/app-settings.js';
import { registerProtectedResourceMetadata } from '../oauth/oauth-routes.js';
import { subscribeToRevocationNudges } from '../shared-state/revocation-nudges.js';
import { issuerKeySource } from './issuer-key-source.js';
import { issuerKeysCheck } from './issuer-keys-check.js';
import { issuerMetadataCheck } from './issuer-metadata-check.js';
import type { ResourceServerConfig } from './resource-server-config.js';
import { revocationListCheck } from './revocation-list-check.js';
import { checkRoleMap } from './role-map-check.js';

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

  if (config.plainHttpTrusted.length > 0)
    options.logger.warn(
      { urls: config.plainHttpTrusted },
      'issuer reached over plain http: its host is in PRIVATE_HTTP_HOSTS, so the network to it is trusted not to be tampered with',
    );

  const roleMap = config.roleMap;
  if (roleMap) checkRoleMap(roleMap, policy, config.policyFile);

  const keySource = issuerKeySource(config, options.logger);

  const revocations = config.revocations && revocationFeed(config.revocations, options.logger);

  const resourceMetadataUrl = `${config.publicUrl}/.well-known/oauth-protected-resource`;
  const app = await createMcpApp({
    serverInfo: { name, version: '0.1.0', title: options.title },
    tools: options.tools,
    verifier: createRs256Verifier({
      keys: keySource.keys,
      issuer: config.issuer,
      audiences: config.audiences,
      roleClaim: config.roleClaim,
      roleMap,
      clockToleranceSeconds: config.clockToleranceSeconds,
      ...(revocations ? { revocations } : {}),
    }),
    access: accessDecider(policy, name, { roleClaim: config.roleClaim }),
    challenge: { realm: name, resourceMetadataUrl },
    logger: options.logger,
    ...(config.enforceToolScopes ? { scopes: toolScopeRule(policy, name) } : {}),
    ...mcpSettings(config.server),
    extend: async (app) => {
      if (revocations) app.addHook('onClose', async () => revocations.stop());
      registerProtectedResourceMetadata(
        app,
        protectedResourceMetadata({
          resource: config.resource,
          authorizationServers: config.authorizationServers,
          scopes: serverScopes(policy, name),
          resourceName: options.title,
        }),
      );
    },
  });
  // Not ready until it can verify a token: with a pinned PUBLIC_KEY_FILE it can from the start.
  const { discovery, jwks } = keySource;
  if (discovery) app.readiness.add('issuer_metadata', issuerMetadataCheck(discovery, config.issuer));
  if (jwks) app.readiness.add('issuer_keys', issuerKeysCheck(jwks, discovery ? 'ISSUER (its metadata: issuer_metadata)' : undefined));
  if (revocations && config.revocations) app.readiness.add('revocations', revocationListCheck(revocations, config.revocations));
  app.addHook('onClose', async () => keySource.stop());
  revocations?.start(); // first poll now, then every REVOCATION_POLL_SECONDS
  if (revocations && config.server.redisUrl) {
    // And at once when the issuer announces a revocation on Redis (shared-state/revocation-nudges.ts).
    const nudges = await subscribeToRevocationNudges({
      url: config.server.redisUrl,
      onNudge: () => void revocations.refresh(),
      log: options.logger,
    });
    app.addHook('onClose', async () => nudges.close());
  }
  return app;
}

/**
 * Polls the issuer's revocation feed every `pollMs` in the background. While polls fail the last list
 * stays in force; the log says how old it is, on the first failure and then once a minute.
 */
function revocationFeed(settings: { url: string; pollMs: number }, logger: Logger) {
  let lastWarnedAt = 0;
  const feed = createRevocationFeedClient({
    url: settings.url,
    pollMs: settings.pollMs,
    onPollFailed: (error, lastSuccessAt) => {
      const now = Date.now();
      if (now - lastWarnedAt < 60_000) return;
      lastWarnedAt = now;
      const staleSeconds = lastSuccessAt === undefined ? undefined : Math.round((now - lastSuccessAt) / 1000);
      logger.warn(
        { revocationsUrl: settings.url, reason: error.message, staleSeconds },
        staleSeconds === undefined
          ? 'revocation feed unreachable: no revocation list yet, so no token is refused as revoked'
          : `revocation feed unreachable: using the list from ${staleSeconds} s ago`,
      );
    },
    onRecovered: () => {
      lastWarnedAt = 0;
      logger.info({ revocationsUrl: settings.url }, 'revocation feed reachable again');
    },
  });
  return feed;
}
