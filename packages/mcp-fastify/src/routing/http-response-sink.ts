/**
 * The answer to one Streamable HTTP POST. It waits for the responses to the POST's requests and
 * writes them as one JSON body, unless the server has something to say before they are ready (a
 * progress or log notification, a server request): then it switches the same response to an SSE
 * stream, as the spec lets a server choose per request. Most calls therefore cost one JSON write, and
 * nothing a tool emits is lost.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { JSONRPCMessage, LoggingLevel } from '@modelcontextprotocol/server';
import type { MessageSink } from './message-sink.js';
import type { ReplyHeaders } from './reply-headers.js';
import { SSE_HEADERS } from './sse-stream.js';

export interface HttpResponseSinkOptions {
  ownerId: string;
  /** How many requests this POST carried: the number of responses to wait for. */
  expectedResponses: number;
  /** Whether the POST body was an array (the reply is then an array too). */
  batch: boolean;
  acceptsSse: boolean;
  acceptsJson: boolean;
  /** Headers for the reply: those Fastify hooks set (CORS) and `mcp-session-id` after initialize. */
  headers: ReplyHeaders;
  /** The session the POST belongs to, whose log level filters the interim messages. */
  session?: { readonly logLevel: LoggingLevel | undefined } | undefined;
}

export class HttpResponseSink implements MessageSink {
  readonly ownerId: string;
  private mode: 'pending' | 'sse' | 'done' = 'pending';
  private remaining: number;
  private readonly collected: JSONRPCMessage[] = [];
  private clientGone = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly options: HttpResponseSinkOptions,
  ) {
    this.ownerId = options.ownerId;
    this.remaining = options.expectedResponses;
    res.on('close', () => {
      this.clientGone = true;
    });
  }

  get open(): boolean {
    return this.mode !== 'done' && !this.clientGone;
  }

  /** True once the client went away before every response was written. */
  get abandoned(): boolean {
    return this.clientGone && this.mode !== 'done';
  }

  deliverResponse(message: JSONRPCMessage): void {
    if (!this.open) return;
    if (this.mode === 'sse') this.writeEvent(message);
    else this.collected.push(message);
    this.remaining -= 1;
    if (this.remaining <= 0) this.finish();
  }

  get logLevel(): LoggingLevel | undefined {
    return this.options.session?.logLevel;
  }

  requestCancelled(): void {
    if (!this.open) return;
    this.remaining -= 1;
    if (this.remaining <= 0) this.finish();
  }

  deliverMessage(message: JSONRPCMessage): void {
    if (!this.open) return;
    // A client that accepts only JSON cannot receive interim messages; the final result still arrives.
    if (!this.options.acceptsSse) return;
    if (this.mode === 'pending') this.startSse();
    this.writeEvent(message);
  }

  private startSse(): void {
    this.mode = 'sse';
    this.res.writeHead(200, { ...SSE_HEADERS, ...this.options.headers } as OutgoingHttpHeaders);
    for (const message of this.collected.splice(0)) this.writeEvent(message);
  }

  private writeEvent(message: JSONRPCMessage): void {
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  private finish(): void {
    if (this.mode === 'sse') {
      this.res.end();
    } else if (this.collected.length === 0) {
      // Every request in this POST was cancelled: there is nothing to answer.
      this.res.writeHead(202, this.options.headers as OutgoingHttpHeaders).end();
    } else if (!this.options.acceptsJson) {
      this.startSse();
      this.res.end();
    } else {
      const body = JSON.stringify(this.options.batch ? this.collected : this.collected[0]);
      this.res.writeHead(200, { ...this.options.headers, 'content-type': 'application/json' } as OutgoingHttpHeaders);
      this.res.end(body);
    }
    this.mode = 'done';
  }
}
