/**
 * Builds a Fastify app that serves MCP tools over Streamable HTTP (/mcp) and legacy SSE (/sse and
 * /messages), with every MCP request authenticated, sessions bound to principals, Host/Origin checks,
 * JSON-RPC errors for malformed input, an audit event per tool call and a clean shutdown.
 * It never listens: `runServer` does, so tests build the same app in-process and listen on port 0.
 */
import cors from '@fastify/cors';
import type { ChallengeOptions, Verifier } from '@mcp-auth/auth';
import type { ToolDefinition } from '@mcp-auth/tools';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { createOriginGuard, isAllowedOrigin, type OriginPolicy } from '../http/origin-guard.js';
import { JSONRPC_INTERNAL_ERROR, JSONRPC_INVALID_REQUEST, JSONRPC_PARSE_ERROR, jsonRpcError } from '../routing/jsonrpc.js';
import { McpMessageRouter } from '../routing/message-router.js';
import { SessionRegistry } from '../sessions/session-registry.js';
import { createAuditor } from './audit.js';
import { createAuthHook } from './auth-hook.js';
import type { McpRouteContext } from './context.js';
import { registerLegacySseRoutes } from './legacy-sse-routes.js';
import { registerStreamableHttpRoutes } from './streamable-http-routes.js';
import { createToolServer, type ServerInfo } from './tool-server.js';

export interface McpAppOptions {
  serverInfo: ServerInfo;
  instructions?: string;
  tools: readonly ToolDefinition[];
  verifier: Verifier;
  /** Realm and RFC 9728 metadata URL for `WWW-Authenticate` challenges. */
  challenge: ChallengeOptions;
  origin: OriginPolicy;
  logger: Logger;
  bodyLimitBytes?: number;
  trustProxy?: boolean;
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

/** Fastify's body-parsing failures, answered as JSON-RPC errors instead of Fastify's own shape. */
function bodyError(error: FastifyError, bodyLimit: number): { status: number; code: number; message: string } | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: JSONRPC_INVALID_REQUEST, message: `Request body is larger than ${bodyLimit} bytes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: JSONRPC_INVALID_REQUEST, message: 'Content-Type must be application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: JSONRPC_PARSE_ERROR, message: 'Parse error: the body is not valid JSON' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: JSONRPC_INVALID_REQUEST, message: 'Invalid Content-Length' };
  }
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return { status: 400, code: JSONRPC_PARSE_ERROR, message: 'Parse error: the body is not valid JSON' };
  }
  return undefined;
}

/** One access-log line per request, at debug level: info stays for auth decisions and audit events. */
class AccessLog extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ req: request, err: error, statusCode: reply.statusCode }, 'request errored');
    else reply.log.debug({ req: request, statusCode: reply.statusCode, ms: reply.elapsedTime }, 'request completed');
  }
}

export async function createMcpApp(options: McpAppOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimitBytes ?? 1_048_576;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit,
    trustProxy: options.trustProxy ?? false,
    logController: new AccessLog(),
  });
  app.decorateRequest('principal', null);
  app.decorateRequest('authInfo', null);

  const mcpServer = createToolServer(options.serverInfo, options.tools, app.log, options.instructions);
  const router = new McpMessageRouter({
    onRequestCompleted: createAuditor(app.log, options.serverInfo.name),
    onDropped: (reason) => app.log.debug({ reason }, 'message dropped'),
  });
  await mcpServer.connect(router);
  mcpServer.server.onerror = (error) => app.log.warn({ err: error }, 'MCP protocol error');

  const sessions = new SessionRegistry(
    {
      idleTimeoutMs: options.sessions?.idleTimeoutMs ?? 30 * 60_000,
      maxPerPrincipal: options.sessions?.maxPerPrincipal ?? 100,
      maxTotal: options.sessions?.maxTotal ?? 10_000,
    },
    (session) => {
      if (session.stream) router.abandon(session.stream.sink);
    },
  );
  const ctx: McpRouteContext = {
    router,
    sessions,
    sessionsEnabled: options.sessions?.enabled ?? true,
    sseKeepAliveMs: options.sseKeepAliveMs ?? 15_000,
  };

  const guard = createOriginGuard(options.origin);
  app.addHook('onRequest', async (request, reply) => {
    const refused = guard(request.headers.host, request.headers.origin);
    if (refused) {
      request.log.info({ refused }, 'request refused by Host/Origin check');
      return reply.code(403).type('application/json').send({ error: 'forbidden', error_description: refused });
    }
  });

  // Browser clients (a local MCP Inspector, a web app named in ALLOWED_ORIGINS) need CORS to send
  // credentials and read the session id and challenges. Other origins were refused above already.
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && isAllowedOrigin(options.origin, origin)),
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['authorization', 'x-api-key', 'content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'],
    exposedHeaders: ['mcp-session-id', 'www-authenticate'],
    maxAge: 600,
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = bodyError(error, bodyLimit);
    if (body) return reply.code(body.status).type('application/json').send(jsonRpcError(body.code, body.message));
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).type('application/json').send(jsonRpcError(JSONRPC_INTERNAL_ERROR, 'Internal server error'));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found' }));

  app.get('/health', async () => ({ status: 'ok', server: options.serverInfo.name }));

  await app.register(async (mcp) => {
    // JSON-RPC bodies only: anything else is 415 rather than a confusing "not JSON-RPC" 400.
    mcp.removeContentTypeParser('text/plain');
    mcp.addHook('onRequest', createAuthHook(options.verifier, options.challenge));
    registerStreamableHttpRoutes(mcp, ctx);
    registerLegacySseRoutes(mcp, ctx);
  });
  if (options.extend) await options.extend(app);

  // Shutdown: end SSE streams cleanly first; Fastify then waits for in-flight requests. Responses
  // written after hijack() cannot carry Fastify's `Connection: close`, so keep-alive connections that
  // go idle once their call is answered are closed here, or close() would wait for the client.
  let idleSweep: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    sessions.closeAll();
    idleSweep = setInterval(() => app.server.closeIdleConnections(), 50);
    idleSweep.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(idleSweep);
    await mcpServer.close();
  });
  return app;
}
