/**
 * The HTTP base every server here shares, MCP or not (the issuer uses it alone): pino logging with one
 * debug access line per request, Host/Origin checks before anything else (403), CORS for allowed
 * browser origins, body-parsing failures answered as JSON-RPC errors (400/413/415) rather than
 * Fastify's shape, a generic 500 that never leaks internals, a JSON 404, `GET /health` (liveness) and
 * `GET /ready` (readiness: see readiness.ts).
 */
import cors from '@fastify/cors';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { JSONRPC_INTERNAL_ERROR, JSONRPC_INVALID_REQUEST, JSONRPC_PARSE_ERROR, jsonRpcError } from '../routing/jsonrpc.js';
import { closeRedis, openRedis } from '../shared-state/redis-client.js';
import { createWindowCounter } from '../shared-state/window-counter.js';
import { createOriginGuard, isAllowedOrigin, type OriginPolicy } from './origin-guard.js';
import { registerReadiness } from './readiness.js';
import { createRefusalLog, type RefusalLog } from './refusal-log.js';
import { isRetryableUnavailable, sendUnavailable } from './unavailable.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Refused requests, logged once per kind and summarised per window (see refusal-log.ts). */
    refusals: RefusalLog;
    /** The REDIS_URL connection (undefined without it), for shared state beyond the windowed counts (revocation nudges). */
    redis: Redis | undefined;
  }
}

export interface HttpAppOptions {
  /** Reported by /health and /ready. */
  name: string;
  logger: Logger;
  origin: OriginPolicy;
  bodyLimitBytes?: number;
  /**
   * Addresses or CIDRs of the proxies in front (TRUST_PROXY): only a request from one of them has its
   * X-Forwarded-For read, right to left, up to the first address that is not a trusted proxy, which
   * becomes `request.ip`. Empty or omitted: X-Forwarded-* is ignored and the peer address is used.
   */
  trustProxy?: readonly string[];
  /** How long repeated refusals are counted before one summary line (see refusal-log.ts). Default 60 s. */
  refusalLogWindowMs?: number;
  /** PEM certificate and key (contents): serve HTTPS. */
  https?: { cert: string; key: string } | undefined;
  /** REDIS_URL: the app's windowed counts (rate limits, failed authentications) shared by every replica. */
  redisUrl?: string | undefined;
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

export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimitBytes ?? 1_048_576;
  const app = Fastify({
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit,
    trustProxy: options.trustProxy?.length ? [...options.trustProxy] : false,
    logController: new AccessLog(),
  });

  const refusals = createRefusalLog(app.log, { windowMs: options.refusalLogWindowMs });
  app.decorate('refusals', refusals);
  app.addHook('onClose', async () => refusals.flush());

  const redis = options.redisUrl ? await openRedis(options.redisUrl, app.log) : undefined;
  app.decorate('windows', createWindowCounter({ redis, prefix: `mcp-auth:${options.name}:` }));
  app.decorate('redis', redis);
  if (redis) app.addHook('onClose', async () => closeRedis(redis));

  const guard = createOriginGuard(options.origin);
  app.addHook('onRequest', async (request, reply) => {
    const refused = guard(request.headers.host, request.headers.origin);
    if (refused) {
      refusals.refused(request.log, {
        kind: `Host/Origin check: ${refused}`,
        address: request.ip,
        level: 'info',
        message: 'request refused by Host/Origin check',
        fields: { refused },
      });
      return reply.code(403).type('application/json').send({ error: 'forbidden', error_description: refused });
    }
  });

  // Browser clients (a local MCP Inspector, a web app named in ALLOWED_ORIGINS) need CORS to send
  // credentials and read the session id and challenges. Other origins were refused above already.
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && isAllowedOrigin(options.origin, origin)),
    methods: ['GET', 'POST', 'DELETE'],
    // mcp-method and mcp-name: the 2026-07-28 standard headers every POST carries.
    allowedHeaders: [
      'authorization',
      'x-api-key',
      'content-type',
      'accept',
      'mcp-session-id',
      'mcp-protocol-version',
      'mcp-method',
      'mcp-name',
      'last-event-id',
    ],
    exposedHeaders: ['mcp-session-id', 'www-authenticate'],
    maxAge: 600,
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = bodyError(error, bodyLimit);
    if (body) return reply.code(body.status).type('application/json').send(jsonRpcError(body.code, body.message));
    if (isRetryableUnavailable(error)) return sendUnavailable(request, reply, error);
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).type('application/json').send(jsonRpcError(JSONRPC_INTERNAL_ERROR, 'Internal server error'));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found' }));
  // Liveness: the process answers. Nothing else is looked at, so a broken dependency never gets a
  // working process restarted; /ready says whether it can serve.
  app.get('/health', async () => ({ status: 'ok', server: options.name }));
  registerReadiness(app, options.name);
  return app;
}
