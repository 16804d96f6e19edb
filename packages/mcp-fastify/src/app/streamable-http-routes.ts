/**
 * Streamable HTTP at /mcp (MCP 2025-03-26 and later).
 * - POST without a session id: `initialize` opens a session bound to the caller (its id comes back
 *   in `Mcp-Session-Id`); anything else is served statelessly.
 * - POST with a session id: the session must exist and belong to the caller, else 404.
 * - GET with a session id: the session's stream for server-initiated messages.
 * - DELETE with a session id: closes the session.
 * Authentication has already run (onRequest hook) for every one of these.
 */

import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { claimsModernEra, speaksModernEra } from '../modern-era/header-authorization.js';
import { HttpResponseSink } from '../routing/http-response-sink.js';
import { JSONRPC_INVALID_REQUEST, JSONRPC_SERVER_ERROR, jsonRpcError } from '../routing/jsonrpc.js';
import type { MessageSink } from '../routing/message-sink.js';
import type { ReplyHeaders } from '../routing/reply-headers.js';
import { SseSink, SseStream } from '../routing/sse-stream.js';
import { type McpSession, SessionLimitError } from '../sessions/session-registry.js';
import type { McpRouteContext } from './context.js';
import { dispatchMessages } from './dispatch-messages.js';
import { parseMessages } from './parse-messages.js';
import { ASSUMED_STREAMABLE_HTTP_VERSION, requestProtocolVersion } from './protocol-version.js';
import { toolsCalledIn } from './scope-guard.js';

const SESSION_HEADER = 'mcp-session-id';

function sendError(reply: FastifyReply, status: number, code: number, message: string) {
  return reply.code(status).type('application/json').send(jsonRpcError(code, message));
}

function acceptOf(request: FastifyRequest): { json: boolean; sse: boolean } {
  const accept = (request.headers.accept ?? '*/*').toLowerCase();
  const any = accept.includes('*/*');
  return {
    json: any || accept.includes('application/json') || accept.includes('application/*'),
    sse: any || accept.includes('text/event-stream'),
  };
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A sink for POSTs that carry only notifications and responses: nothing is sent back on it. */
function silentSink(ownerId: string): MessageSink {
  return { ownerId, open: true, deliverResponse() {}, deliverMessage() {}, requestCancelled() {} };
}

export function registerStreamableHttpRoutes(app: FastifyInstance, ctx: McpRouteContext): void {
  const { hub, sessions } = ctx;

  /** Resolves the caller's session from the header, or sends 404/400 and returns null. */
  function sessionFor(request: FastifyRequest, reply: FastifyReply): McpSession | null | undefined {
    const id = headerValue(request, SESSION_HEADER);
    if (id === undefined) return undefined;
    const session = sessions.find(id, request.principal?.id ?? '', 'streamable-http');
    if (!session) {
      sendError(reply, 404, JSONRPC_SERVER_ERROR - 1, 'Session not found');
      return null;
    }
    return session;
  }

  app.post('/mcp', async (request, reply) => {
    const principal = request.principal;
    if (!principal) throw new Error('auth hook did not run');
    const version = headerValue(request, 'mcp-protocol-version');
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version) && !speaksModernEra(request)) {
      return sendError(reply, 400, JSONRPC_INVALID_REQUEST, `Unsupported MCP-Protocol-Version: ${version}`);
    }
    // A POST that claims 2026-07-28 (header or body) goes to the SDK's entry, which classifies it
    // (classifyInboundRequest) and serves or refuses it; everything else is the legacy era's, its
    // malformed input included.
    if (claimsModernEra(request)) {
      const refused = ctx.authorizeModernBody(request, reply);
      if (refused) return refused;
      return ctx.modern.serve(request, reply, reply.getHeaders());
    }
    const accept = acceptOf(request);
    if (!accept.json && !accept.sse) {
      return sendError(reply, 406, JSONRPC_INVALID_REQUEST, 'Accept must include application/json or text/event-stream');
    }
    // Looked up before parsing because without the header the session's version decides whether a
    // batch is allowed; an unknown id is answered 404 below, once the body is known not to be initialize.
    const sessionId = headerValue(request, SESSION_HEADER);
    const session = sessionId === undefined ? undefined : sessions.find(sessionId, principal.id, 'streamable-http');
    const parsed = parseMessages(request.body, {
      protocolVersion: requestProtocolVersion(version, session?.client?.protocolVersion, ASSUMED_STREAMABLE_HTTP_VERSION),
      maxBatchMessages: ctx.maxBatchMessages,
    });
    if (!parsed.ok) return sendError(reply, parsed.status, JSONRPC_INVALID_REQUEST, parsed.reason);

    const initialize = parsed.messages.some((m) => m.kind === 'request' && (m.message as { method: string }).method === 'initialize');
    // Headers hooks already set (CORS) must survive hijack(), which bypasses Fastify's reply.
    const headers: ReplyHeaders = reply.getHeaders();
    let opened: McpSession | undefined;
    if (initialize) {
      if (parsed.messages.length > 1) {
        return sendError(reply, 400, JSONRPC_INVALID_REQUEST, 'Invalid Request: initialize must be sent alone');
      }
      if (sessionId !== undefined) {
        return sendError(reply, 400, JSONRPC_INVALID_REQUEST, 'Invalid Request: initialize opens a new session; omit Mcp-Session-Id');
      }
      if (ctx.sessionsEnabled) {
        try {
          opened = sessions.open('streamable-http', principal.id);
        } catch (error) {
          if (error instanceof SessionLimitError) {
            reply.header('retry-after', String(error.retryAfterSeconds));
            return sendError(reply, 503, JSONRPC_SERVER_ERROR, error.message);
          }
          throw error;
        }
        headers[SESSION_HEADER] = opened.id;
      }
    } else if (sessionId !== undefined) {
      if (!session) return sendError(reply, 404, JSONRPC_SERVER_ERROR - 1, 'Session not found');
      headers[SESSION_HEADER] = session.id;
    }
    const refused = ctx.refuseUncoveredCalls(request, reply, toolsCalledIn(parsed.messages));
    if (refused) return refused;

    const extra = { authInfo: request.authInfo ?? undefined };
    const requests = parsed.messages.filter((m) => m.kind === 'request').length;
    if (requests === 0) {
      dispatchMessages(hub, parsed.messages, silentSink(principal.id), extra, opened ?? session, request.log);
      return reply.code(202).send();
    }

    reply.hijack();
    const sink = new HttpResponseSink(reply.raw, {
      ownerId: principal.id,
      expectedResponses: requests,
      batch: parsed.batch,
      acceptsJson: accept.json,
      acceptsSse: accept.sse,
      headers,
      session: opened ?? session,
    });
    reply.raw.on('close', () => {
      if (sink.abandoned) hub.abandon(sink);
    });
    dispatchMessages(hub, parsed.messages, sink, extra, opened ?? session, request.log);
    return reply;
  });

  app.get('/mcp', async (request, reply) => {
    const principal = request.principal;
    if (!principal) throw new Error('auth hook did not run');
    if (!acceptOf(request).sse) {
      return sendError(reply, 406, JSONRPC_INVALID_REQUEST, 'Accept must include text/event-stream');
    }
    const session = sessionFor(request, reply);
    if (session === null) return reply;
    if (session === undefined) {
      // Stateless callers have no stream to listen on.
      return reply
        .code(405)
        .header('allow', 'POST')
        .type('application/json')
        .send(jsonRpcError(JSONRPC_SERVER_ERROR, 'Method not allowed without a session'));
    }
    if (session.stream?.stream.open) {
      return sendError(reply, 409, JSONRPC_SERVER_ERROR, 'Conflict: this session already has an open stream');
    }
    reply.hijack();
    const stream = new SseStream(reply.raw, {
      keepAliveMs: ctx.sseKeepAliveMs,
      headers: { ...reply.getHeaders(), [SESSION_HEADER]: session.id },
    });
    const sink = new SseSink(principal.id, stream, session);
    session.stream = { stream, sink };
    hub.addBroadcastSink(sink, request.authInfo ?? undefined);
    stream.onClose(() => {
      hub.abandon(sink);
      if (session.stream?.sink === sink) session.stream = undefined;
    });
    return reply;
  });

  app.delete('/mcp', async (request, reply) => {
    const session = sessionFor(request, reply);
    if (session === null) return reply;
    if (session === undefined) return sendError(reply, 400, JSONRPC_INVALID_REQUEST, 'Mcp-Session-Id header is required');
    sessions.close(session.id);
    return reply.code(200).send();
  });
}
