/**
 * The HTTP+SSE transport of MCP 2024-11-05, still used by many clients (and by the article):
 * GET /sse opens a stream bound to the caller and names the POST endpoint in an `endpoint` event;
 * POST /messages?sessionId=... delivers one message whose response travels on that stream.
 * Every POST authenticates again: the reference demo left this path open to anyone with a session id.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { FastifyInstance } from 'fastify';
import { JSONRPC_INVALID_REQUEST, JSONRPC_SERVER_ERROR, jsonRpcError } from '../routing/jsonrpc.js';
import { SseSink, SseStream } from '../routing/sse-stream.js';
import { SessionLimitError } from '../sessions/session-registry.js';
import type { McpRouteContext } from './context.js';
import { dispatchMessages } from './dispatch-messages.js';
import { parseMessages } from './parse-messages.js';
import { LEGACY_SSE_VERSION, requestProtocolVersion } from './protocol-version.js';
import { toolsCalledIn } from './scope-guard.js';

export function registerLegacySseRoutes(app: FastifyInstance, ctx: McpRouteContext): void {
  const { hub, sessions } = ctx;

  app.get('/sse', async (request, reply) => {
    const principal = request.principal;
    if (!principal) throw new Error('auth hook did not run');
    let session: ReturnType<typeof sessions.open>;
    try {
      session = sessions.open('sse', principal.id);
    } catch (error) {
      if (error instanceof SessionLimitError) {
        return reply
          .code(503)
          .header('retry-after', String(error.retryAfterSeconds))
          .send(jsonRpcError(JSONRPC_SERVER_ERROR, error.message));
      }
      throw error;
    }
    reply.hijack();
    const stream = new SseStream(reply.raw, { keepAliveMs: ctx.sseKeepAliveMs, headers: reply.getHeaders() });
    const sink = new SseSink(principal.id, stream, session);
    session.stream = { stream, sink };
    hub.addBroadcastSink(sink, request.authInfo ?? undefined);
    stream.onClose(() => {
      hub.abandon(sink);
      sessions.close(session.id);
    });
    // Relative to the /sse URL, so the server works behind a path prefix.
    stream.sendEvent('endpoint', `messages?sessionId=${session.id}`);
    return reply;
  });

  app.post<{ Querystring: { sessionId?: string } }>('/messages', async (request, reply) => {
    const principal = request.principal;
    if (!principal) throw new Error('auth hook did not run');
    const id = request.query.sessionId;
    if (!id) return reply.code(400).send(jsonRpcError(JSONRPC_INVALID_REQUEST, 'sessionId query parameter is required'));
    const session = sessions.find(id, principal.id, 'sse');
    if (!session?.stream?.stream.open) {
      return reply.code(404).send(jsonRpcError(JSONRPC_SERVER_ERROR - 1, 'Session not found'));
    }
    const header = request.headers['mcp-protocol-version'];
    const declared = typeof header === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(header) ? header : undefined;
    const parsed = parseMessages(request.body, {
      // A client that initialized with a newer version over this old transport speaks that version.
      protocolVersion: requestProtocolVersion(declared, session.client?.protocolVersion, LEGACY_SSE_VERSION),
      maxBatchMessages: ctx.maxBatchMessages,
    });
    if (!parsed.ok) return reply.code(parsed.status).send(jsonRpcError(JSONRPC_INVALID_REQUEST, parsed.reason));
    // A refused call is answered here with 403 and its challenge, not on the stream: see scope-guard.ts.
    const refused = ctx.refuseUncoveredCalls(request, reply, toolsCalledIn(parsed.messages));
    if (refused) return refused;
    const extra = { authInfo: request.authInfo ?? undefined };
    dispatchMessages(hub, parsed.messages, session.stream.sink, extra, session, request.log);
    return reply.code(202).type('text/plain').send('Accepted');
  });
}
