/**
 * Builds a Fastify app that serves MCP tools over Streamable HTTP (/mcp) and legacy SSE (/sse and
 * /messages), with every MCP request authenticated, sessions bound to principals, an audit event per
 * tool call and a clean shutdown, on the HTTP base of `createHttpApp` (Host/Origin checks, CORS,
 * JSON-RPC errors for malformed input, /health). It never listens: `runServer` does, so tests build
 * the same app in-process and listen on port 0.
 */

import type { ChallengeOptions, Principal, ServerAccess, ToolScopeRule, Verifier } from '@mcp-auth/auth';
import type { ToolDefinition } from '@mcp-auth/tools';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createHttpApp } from '../http/create-http-app.js';
import type { OriginPolicy } from '../http/origin-guard.js';
import { createHeaderAuthorization, refuseForRole, undecidedFromHeaders } from '../modern-era/header-authorization.js';
import { ModernEraHandler } from '../modern-era/modern-era-handler.js';
import { ToolServerPool } from '../modern-era/tool-server-pool.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { createAuditLog } from './audit.js';
import { createAnonymousHook, createAuthHook } from './auth-hook.js';
import type { McpRouteContext } from './context.js';
import { createFailedAuthLimiter } from './failed-auth-limiter.js';
import { registerLegacySseRoutes } from './legacy-sse-routes.js';
import { createScopeGuard } from './scope-guard.js';
import { registerStreamableHttpRoutes } from './streamable-http-routes.js';
import type { ServerInfo } from './tool-server.js';
import { ToolServerHub } from './tool-server-hub.js';

export interface McpAppOptions {
  serverInfo: ServerInfo;
  instructions?: string;
  tools: readonly ToolDefinition[];
  verifier: Verifier;
  /**
   * RBAC: what a verified principal may do on this server. Throw an `insufficient_scope` AuthError to
   * refuse the server (403); return the tools it may list and call, and the grants tools read.
   */
  access?: (principal: Principal) => ServerAccess;
  /**
   * Per-tool scopes (method 3, from the policy file: `toolScopeRule(policy, server)`): a token needs
   * `mcp` or one of this server's scopes to use it at all, `tools/list` shows what its scopes cover
   * (and step-up tools), a tools/call it does not cover is answered 403 `insufficient_scope` naming
   * the scopes, and 401 challenges name the base scopes. None: scopes are not checked here.
   */
  scopes?: ToolScopeRule;
  /**
   * Benchmark baseline only (INSECURE_DISABLE_AUTH): every request is an anonymous principal with no
   * RBAC. The config refuses it in production, and the server logs a warning at startup.
   */
  authDisabled?: boolean;
  /**
   * Failed authentications (bad, expired or revoked credentials) one client address may make per
   * minute; past it the address gets 429 with Retry-After, without verification work, for every
   * credential that has not verified recently (see failed-auth-limiter.ts). Default 120.
   */
  authFailuresPerMinute?: number;
  /** Realm and RFC 9728 metadata URL for `WWW-Authenticate` challenges. */
  challenge: ChallengeOptions;
  origin: OriginPolicy;
  logger: Logger;
  bodyLimitBytes?: number;
  /** Addresses or CIDRs of the proxies in front (see HttpAppOptions.trustProxy). */
  trustProxy?: readonly string[];
  /** Repeated refusals are counted for this long, then summarised in one line. Default 60 s. */
  refusalLogWindowMs?: number;
  /** Most messages one JSON-RPC batch may carry, for clients older than MCP 2025-06-18. Default 100. */
  maxBatchMessages?: number;
  https?: { cert: string; key: string } | undefined;
  /** REDIS_URL: failed authentications (and the app's other limits) counted by every replica together. */
  redisUrl?: string | undefined;
  sessions?: {
    /** When false, initialize returns no session id and every call is stateless. Default true. */
    enabled?: boolean;
    idleTimeoutMs?: number;
    maxPerPrincipal?: number;
    maxTotal?: number;
  };
  sseKeepAliveMs?: number;
  /** Extra public or protected routes an app adds (token endpoints, metadata). */
  extend?: (app: FastifyInstance) => void | Promise<void>;
}

export async function createMcpApp(options: McpAppOptions): Promise<FastifyInstance> {
  const app = await createHttpApp({
    name: options.serverInfo.name,
    logger: options.logger,
    origin: options.origin,
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    ...(options.refusalLogWindowMs === undefined ? {} : { refusalLogWindowMs: options.refusalLogWindowMs }),
    https: options.https,
    redisUrl: options.redisUrl,
  });
  app.decorateRequest('principal', null);
  app.decorateRequest('authInfo', null);
  app.decorateRequest('access', null);

  const audit = createAuditLog(app.log, options.serverInfo.name);
  // The 401 challenge names what to ask for (MCP: "scope SHOULD be in the 401 challenge").
  const challenge: ChallengeOptions = { ...options.challenge, scope: options.challenge.scope ?? options.scopes?.challengeScope };
  const hub = new ToolServerHub({
    info: options.serverInfo,
    tools: options.tools,
    instructions: options.instructions,
    log: app.log,
    scopes: options.authDisabled ? undefined : options.scopes,
    onRequestCompleted: audit.completed,
    onDenied: audit.denied,
  });

  const modern = new ModernEraHandler({
    pool: new ToolServerPool({
      info: options.serverInfo,
      tools: options.tools,
      instructions: options.instructions,
      log: app.log,
      scopes: options.authDisabled ? undefined : options.scopes,
    }),
    log: app.log,
    onRequestCompleted: audit.completed,
  });
  const refuseUncoveredCalls = createScopeGuard(options.authDisabled ? undefined : options.scopes, challenge, audit.denied);
  const headerAuthorization = { serverName: options.serverInfo.name, refuseUncoveredCalls, onDenied: audit.denied };

  const sessions = new SessionRegistry(
    {
      idleTimeoutMs: options.sessions?.idleTimeoutMs ?? 30 * 60_000,
      maxPerPrincipal: options.sessions?.maxPerPrincipal ?? 100,
      maxTotal: options.sessions?.maxTotal ?? 10_000,
    },
    (session) => {
      if (session.stream) hub.abandon(session.stream.sink);
    },
  );
  const ctx: McpRouteContext = {
    hub,
    modern,
    authorizeModernBody: (request, reply) => {
      if (!undecidedFromHeaders(request)) return undefined;
      const body = request.body as { method?: unknown; params?: { name?: unknown } } | undefined;
      const tool = body?.method === 'tools/call' && typeof body.params?.name === 'string' ? body.params.name : undefined;
      if (tool === undefined) return undefined;
      return refuseForRole(request, reply, tool, headerAuthorization) ?? refuseUncoveredCalls(request, reply, [tool]);
    },
    sessions,
    sessionsEnabled: options.sessions?.enabled ?? true,
    sseKeepAliveMs: options.sseKeepAliveMs ?? 15_000,
    maxBatchMessages: options.maxBatchMessages ?? 100,
    refuseUncoveredCalls,
  };

  await app.register(async (mcp) => {
    // JSON-RPC bodies only: anything else is 415 rather than a confusing "not JSON-RPC" 400.
    mcp.removeContentTypeParser('text/plain');
    if (options.authDisabled) {
      app.log.warn('AUTHENTICATION IS DISABLED (INSECURE_DISABLE_AUTH): anyone can call every tool. Benchmarks only.');
      mcp.addHook('onRequest', createAnonymousHook());
    } else {
      const limiter = createFailedAuthLimiter({
        maxPerMinute: options.authFailuresPerMinute ?? 120,
        shared: app.windows.shared ? app.windows : undefined,
      });
      mcp.addHook(
        'onRequest',
        createAuthHook({
          verifier: options.verifier,
          challenge,
          decideAccess: options.access,
          scopes: options.scopes,
          limiter,
          refusals: app.refusals,
        }),
      );
    }
    // After authentication: a 2026-07-28 tools/call is authorized from its headers, before its body is read.
    mcp.addHook('onRequest', createHeaderAuthorization(headerAuthorization));
    registerStreamableHttpRoutes(mcp, ctx);
    registerLegacySseRoutes(mcp, ctx);
  });
  if (options.extend) await options.extend(app);

  // Shutdown: end SSE streams cleanly first; Fastify then waits for in-flight requests. Responses
  // written after hijack() cannot carry Fastify's `Connection: close`, so keep-alive connections that
  // go idle once their call is answered are closed here, or close() would wait for the client.
  app.decorate(
    'answerCallsInFlight',
    (code: number, message: string) => hub.answerAllPending(code, message) + modern.answerAllPending(code, message),
  );
  let idleSweep: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    sessions.closeAll();
    idleSweep = setInterval(() => app.server.closeIdleConnections(), 50);
    idleSweep.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(idleSweep);
    await Promise.all([hub.close(), modern.close()]);
  });
  return app;
}
