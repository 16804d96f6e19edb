/**
 * A method 3 resource server: MCP tools behind RS256 tokens from the issuer, with the RBAC policy
 * enforced here (not by the client, as in the reference demo): 403 for roles the policy does not
 * grant this server, per-role tool lists, refused calls, and field and row grants handed to tools.
 */
import {
  checkPolicyTools,
  createJwksClient,
  createRevocationFeedClient,
  createRs256Verifier,
  decideAccess,
  type JwksClient,
  loadPolicy,
  protectedResourceMetadata,
  type RbacPolicy,
  readPublicKeyFile,
  serverScopes,
  toolScopeRule,
} from '@mcp-auth/auth';
import type { ToolDefinition } from '@mcp-auth/tools';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createMcpApp } from '../app/create-mcp-app.js';
import { mcpSettings } from '../config/app-settings.js';
import { registerProtectedResourceMetadata } from '../oauth/oauth-routes.js';
import { issuerKeysCheck } from './issuer-keys-check.js';
import type { ResourceServerConfig } from './resource-server-config.js';
import { revocationListCheck } from './revocation-list-check.js';

export interface ResourceServerOptions {
  name: string;
  title: string;
  config: ResourceServerConfig;
  tools: readonly ToolDefinition[];
  logger: Logger;
  /** Defaults to the policy file named by the config. */
  policy?: RbacPolicy;
}

/** While a resource server holds no issuer keys at all, it asks for them this often. */
const KEY_RETRY_MS = 2000;

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

  let keys: Parameters<typeof createRs256Verifier>[0]['keys'];
  let jwksClient: JwksClient | undefined;
  let untilKeys: NodeJS.Timeout | undefined;
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
    // Fetch now so the first request does not wait. If the issuer is down, keep trying in the background
    // until it answers, so the server becomes ready (GET /ready) without waiting for a request.
    void jwks.prime().then((ok) => {
      if (ok) return;
      options.logger.warn({ jwksUrl }, 'issuer unreachable at startup: requests get 503 until its keys can be fetched');
      untilKeys = setInterval(() => {
        if (jwks.size > 0) return clearInterval(untilKeys);
        void jwks.prime().then((fetched) => {
          if (!fetched) return;
          clearInterval(untilKeys);
          options.logger.info({ jwksUrl }, 'issuer reachable: its keys are fetched, requests are verified');
        });
      }, KEY_RETRY_MS);
      untilKeys.unref();
    });
    keys = { jwks };
    jwksClient = jwks;
  }

  const revocations = config.revocations && revocationFeed(config.revocations, options.logger);

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
      ...(revocations ? { revocations } : {}),
    }),
    access: (principal) => decideAccess(policy, name, principal),
    challenge: { realm: name, resourceMetadataUrl },
    logger: options.logger,
    scopes: toolScopeRule(policy, name),
    ...mcpSettings(config.server),
    extend: async (app) => {
      if (revocations) app.addHook('onClose', async () => revocations.stop());
      registerProtectedResourceMetadata(
        app,
        protectedResourceMetadata({
          resource: config.resource,
          authorizationServers: [config.issuerUrl],
          scopes: serverScopes(policy, name),
          resourceName: options.title,
        }),
      );
    },
  });
  // Not ready until it can verify a token: with a pinned PUBLIC_KEY_FILE it can from the start.
  if (jwksClient) app.readiness.add('issuer_keys', issuerKeysCheck(jwksClient));
  if (revocations && config.revocations) app.readiness.add('revocations', revocationListCheck(revocations, config.revocations));
  app.addHook('onClose', async () => clearInterval(untilKeys));
  revocations?.start(); // first poll now, then every REVOCATION_POLL_SECONDS
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
