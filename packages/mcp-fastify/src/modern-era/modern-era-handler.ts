/**
 * Serves a 2026-07-28 request (no session, no initialize: every request carries its protocol version,
 * client info and capabilities in `params._meta`) through the SDK's own modern-era entry,
 * `createMcpHandler`, with servers from the pool (tool-server-pool.ts).
 *
 * The SDK does the protocol: the validation ladder (MCP-Protocol-Version / Mcp-Method / Mcp-Name
 * headers against the body, 400 HeaderMismatch -32020, unsupported version -32022, missing client
 * capability -32021), `server/discover`, result encoding with `ttlMs`/`cacheScope`, per-request log
 * levels, SSE for interim messages. The kit has already authenticated the caller and authorized the
 * call from its headers (header-authorization.ts); this module turns the Fastify request into the
 * web Request the SDK takes, writes the SDK's Response back, audits tool calls, and answers calls still
 * running at shutdown.
 */
import { Readable } from 'node:stream';
import { type AuthInfo, createMcpHandler, type JSONRPCMessage, type McpHttpHandler, type RequestId } from '@modelcontextprotocol/server';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { CompletedRequest } from '../routing/message-router.js';
import type { ReplyHeaders } from '../routing/reply-headers.js';
import type { ToolServerPool } from './tool-server-pool.js';

export interface ModernEraHandlerOptions {
  pool: ToolServerPool;
  log: FastifyBaseLogger;
  /** Told once per answered (or abandoned) request, like the legacy router's audit hook. */
  onRequestCompleted: (completed: CompletedRequest) => void;
}

interface Exchange {
  readonly id: RequestId | undefined;
  readonly raw: FastifyReply['raw'];
  readonly abort: AbortController;
}

function webHeaders(request: FastifyRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

/** The JSON-RPC response to request `id` among an SSE body's frames, or the JSON body itself. */
function responseIn(body: string, sse: boolean, id: RequestId | undefined): JSONRPCMessage | undefined {
  try {
    if (!sse) return JSON.parse(body) as JSONRPCMessage;
    for (const frame of body.split('\n\n').reverse()) {
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      const message = JSON.parse(data) as { id?: RequestId };
      if (message.id === id && ('result' in message || 'error' in message)) return message as JSONRPCMessage;
    }
  } catch {
    // Not JSON-RPC: nothing to audit from it.
  }
  return undefined;
}

export class ModernEraHandler {
  private readonly handler: McpHttpHandler;
  private readonly inFlight = new Set<Exchange>();

  constructor(private readonly options: ModernEraHandlerOptions) {
    this.handler = createMcpHandler(({ authInfo }) => options.pool.take(authInfo), {
      // The kit serves the legacy era itself (sessions bound to principals, HTTP+SSE); only requests
      // that classify as 2026-07-28 (or that its ladder rejects) come here.
      legacy: 'reject',
      onerror: (error) => options.log.debug({ err: error }, 'modern-era request refused or failed'),
    });
  }

  /** Serves one POST /mcp whose body the kit has parsed; `headers` are those hooks already set (CORS). */
  async serve(request: FastifyRequest, reply: FastifyReply, headers: ReplyHeaders): Promise<FastifyReply> {
    const body = request.body as { id?: RequestId; method?: unknown; params?: Record<string, unknown> } | undefined;
    const method = typeof body?.method === 'string' ? body.method : '';
    const abort = new AbortController();
    const exchange: Exchange = { id: body?.id, raw: reply.raw, abort };
    const startedAt = performance.now();
    const authInfo = (request.authInfo ?? undefined) as AuthInfo | undefined;
    let completed = false;
    /** `dispatched` false: the SDK's ladder refused the request (4xx) and no handler saw it; nothing to audit. */
    const complete = (response: JSONRPCMessage | undefined, dispatched = true) => {
      if (completed) return;
      completed = true;
      this.inFlight.delete(exchange);
      if (!dispatched) return;
      this.options.onRequestCompleted({ method, params: body?.params, authInfo, durationMs: performance.now() - startedAt, response });
    };

    reply.hijack();
    const raw = reply.raw;
    // Closing the request's stream is how a 2026-07-28 client cancels; a client that went away cancels too.
    raw.on('close', () => {
      if (!raw.writableFinished) abort.abort();
      complete(undefined);
    });
    this.inFlight.add(exchange);

    const webRequest = new Request(`http://${request.hostname || 'localhost'}${request.url}`, {
      method: 'POST',
      headers: webHeaders(request),
      signal: abort.signal,
    });
    const response = await this.handler.fetch(webRequest, {
      ...(authInfo ? { authInfo } : {}),
      parsedBody: request.body,
    });
    if (raw.destroyed || raw.writableEnded) return reply;

    const out: Record<string, string | string[] | number> = { ...(headers as Record<string, string | string[] | number>) };
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    raw.writeHead(response.status, out);
    const dispatched = response.status < 400;
    if (!response.body) {
      raw.end();
      complete(undefined, dispatched);
      return reply;
    }
    const sse = (response.headers.get('content-type') ?? '').includes('text/event-stream');
    // Only tool calls are audited, so only their answers are read back.
    const audited = method === 'tools/call';
    if (!sse) {
      const text = await response.text();
      raw.end(text);
      complete(audited ? responseIn(text, false, body?.id) : undefined, dispatched);
      return reply;
    }
    // Interim messages (progress, logs) go out as they come; a tool call's final frame is audited.
    let seen = '';
    const stream = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    stream.on('data', (chunk: Buffer) => {
      if (audited) seen += chunk.toString('utf8');
      raw.write(chunk);
    });
    stream.on('end', () => {
      raw.end();
      complete(audited ? responseIn(seen, true, body?.id) : undefined);
    });
    stream.on('error', (error) => {
      this.options.log.warn({ err: error }, 'modern-era response stream failed');
      raw.destroy();
    });
    return reply;
  }

  /**
   * Shutdown past its drain deadline: answers every request still running with a JSON-RPC error (when
   * its response has not started) and cancels it, so its tool sees the abort. Returns how many.
   */
  answerAllPending(code: number, message: string): number {
    let answered = 0;
    for (const exchange of [...this.inFlight]) {
      if (!exchange.raw.headersSent) {
        exchange.raw.writeHead(200, { 'content-type': 'application/json' });
        exchange.raw.end(JSON.stringify({ jsonrpc: '2.0', id: exchange.id ?? null, error: { code, message } }));
      }
      exchange.abort.abort();
      answered += 1;
    }
    return answered;
  }

  async close(): Promise<void> {
    await this.handler.close();
    this.options.pool.clear();
  }
}
