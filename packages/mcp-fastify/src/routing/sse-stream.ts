/**
 * Server-sent events on a raw Node response: `event: message` frames carrying JSON-RPC, a comment
 * line every `keepAliveMs` so proxies keep idle streams open, and a clean end on close.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { JSONRPCMessage, LoggingLevel } from '@modelcontextprotocol/server';
import type { ReplyHeaders } from './reply-headers.js';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx buffers responses by default, which would hold SSE frames back.
  'x-accel-buffering': 'no',
} as const;

export class SseStream {
  private closed = false;
  private readonly keepAlive: NodeJS.Timeout | undefined;
  private readonly onCloseCallbacks: Array<() => void> = [];

  constructor(
    private readonly res: ServerResponse,
    options: { keepAliveMs: number; headers?: ReplyHeaders },
  ) {
    res.writeHead(200, { ...SSE_HEADERS, ...options.headers } as OutgoingHttpHeaders);
    res.flushHeaders();
    res.on('close', () => this.markClosed());
    if (options.keepAliveMs > 0) {
      this.keepAlive = setInterval(() => this.writeRaw(': keep-alive\n\n'), options.keepAliveMs);
      this.keepAlive.unref();
    }
  }

  get open(): boolean {
    return !this.closed;
  }

  onClose(callback: () => void): void {
    if (this.closed) callback();
    else this.onCloseCallbacks.push(callback);
  }

  send(message: JSONRPCMessage): void {
    this.writeRaw(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  sendEvent(event: string, data: string): void {
    this.writeRaw(`event: ${event}\ndata: ${data}\n\n`);
  }

  /** Ends the stream: the client sees a clean end of the event stream, not a reset. */
  close(): void {
    if (this.closed) return;
    this.res.end();
    this.markClosed();
  }

  private writeRaw(chunk: string): void {
    if (!this.closed) this.res.write(chunk);
  }

  private markClosed(): void {
    if (this.closed && this.onCloseCallbacks.length === 0) return;
    this.closed = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    const callbacks = this.onCloseCallbacks.splice(0);
    for (const callback of callbacks) callback();
  }
}

/** A sink that writes every message to one SSE stream (legacy SSE sessions, standalone GET streams). */
export class SseSink {
  constructor(
    readonly ownerId: string,
    readonly stream: SseStream,
    /** The session the stream belongs to, whose log level filters what the stream carries. */
    private readonly session?: { readonly logLevel: LoggingLevel | undefined },
  ) {}
  get logLevel(): LoggingLevel | undefined {
    return this.session?.logLevel;
  }
  get open(): boolean {
    return this.stream.open;
  }
  deliverResponse(message: JSONRPCMessage): void {
    this.stream.send(message);
  }
  deliverMessage(message: JSONRPCMessage): void {
    this.stream.send(message);
  }
  requestCancelled(): void {}
}
