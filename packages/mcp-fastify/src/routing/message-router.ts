/**
 * A Transport (the SDK's public extension point) that lets one long-lived McpServer serve every
 * client of a process. Each inbound request gets a process-unique id before it reaches the server,
 * so two clients' `id: 1` never collide; responses get the client's id back and go to the sink the
 * request came from. Notifications and server requests tied to a request follow it to the same sink.
 *
 * Building a server and transport per request is what makes the SDK's stateless example slow; this
 * keeps the SDK doing all the protocol work (dispatch, schema validation, tool calls) once per process.
 *
 * Deliberately not here: HTTP, auth and sessions. Callers authenticate first and hand in `authInfo`.
 */
import type { JSONRPCMessage, MessageExtraInfo, RequestId, Transport, TransportSendOptions } from '@modelcontextprotocol/server';
import { belowLogLevel } from '../sessions/session-handshake.js';
import type { MessageKind } from './jsonrpc.js';
import type { MessageSink } from './message-sink.js';

/** A log message below the level the sink's client asked for (logging/setLevel, per session) is not sent to it. */
function filteredOut(message: JSONRPCMessage, sink: MessageSink): boolean {
  const notification = message as { method?: string; params?: { level?: unknown } };
  return notification.method === 'notifications/message' && belowLogLevel(notification.params?.level, sink.logLevel);
}

interface PendingRequest {
  readonly sink: MessageSink;
  readonly clientId: RequestId;
  readonly cancelKey: string;
  readonly method: string;
  readonly startedAt: number;
  readonly params: Record<string, unknown> | undefined;
  readonly authInfo: MessageExtraInfo['authInfo'];
}

/** What the router reports when a request it routed has been answered, for audit. */
export interface CompletedRequest {
  readonly method: string;
  readonly params: Record<string, unknown> | undefined;
  readonly authInfo: MessageExtraInfo['authInfo'];
  readonly durationMs: number;
  /** The response sent, or undefined when the request was cancelled before it was answered. */
  readonly response: JSONRPCMessage | undefined;
}

export interface MessageRouterOptions {
  /** Called once per answered request, after the response was handed to its sink. */
  onRequestCompleted?: (completed: CompletedRequest) => void;
  /** Called for messages the router had to drop (sink gone, unknown reply), for logging. */
  onDropped?: (reason: string) => void;
}

export class McpMessageRouter implements Transport {
  onmessage?: ((message: JSONRPCMessage, extra?: MessageExtraInfo) => void) | undefined;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;

  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  /** `ownerId \0 client id` -> internal id, so `notifications/cancelled` can name the right request. */
  private readonly byClientKey = new Map<string, number>();
  /** Server-initiated requests (e.g. sampling) -> the sink whose owner must answer them. */
  private readonly serverRequests = new Map<RequestId, MessageSink>();
  /** Sinks that receive messages tied to no request (standalone and legacy SSE streams). */
  private readonly broadcastSinks = new Set<MessageSink>();

  constructor(private readonly options: MessageRouterOptions = {}) {}

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.onclose?.();
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  addBroadcastSink(sink: MessageSink): void {
    this.broadcastSinks.add(sink);
  }

  removeBroadcastSink(sink: MessageSink): void {
    this.broadcastSinks.delete(sink);
  }

  /** Hands one inbound message from `sink`'s client to the server. */
  dispatch(kind: MessageKind, message: JSONRPCMessage, sink: MessageSink, extra: MessageExtraInfo): void {
    if (kind === 'request') {
      const request = message as { id: RequestId; method: string; params?: Record<string, unknown> };
      const internalId = this.nextId++;
      const cancelKey = `${sink.ownerId}\u0000${typeof request.id}:${request.id}`;
      this.pending.set(internalId, {
        sink,
        clientId: request.id,
        cancelKey,
        method: request.method,
        startedAt: performance.now(),
        params: request.params,
        authInfo: extra.authInfo,
      });
      this.byClientKey.set(cancelKey, internalId);
      request.id = internalId;
    } else if (kind === 'notification') {
      const notification = message as { method: string; params?: { requestId?: RequestId } };
      if (notification.method === 'notifications/cancelled' && notification.params?.requestId !== undefined) {
        const key = `${sink.ownerId}\u0000${typeof notification.params.requestId}:${notification.params.requestId}`;
        const internalId = this.byClientKey.get(key);
        if (internalId === undefined) return; // unknown or finished: nothing to cancel, nothing to leak
        notification.params.requestId = internalId;
        // The server sends no response to a cancelled request, so settle it here.
        const entry = this.pending.get(internalId);
        if (entry) this.settleCancelled(internalId, entry);
      }
    } else {
      const response = message as { id: RequestId };
      const owner = this.serverRequests.get(response.id);
      if (!owner || owner.ownerId !== sink.ownerId) {
        this.options.onDropped?.('a reply to a server request this client was not sent');
        return;
      }
      this.serverRequests.delete(response.id);
    }
    this.onmessage?.(message, extra);
  }

  /** Cancels every request still pending for a sink whose client went away. */
  abandon(sink: MessageSink): void {
    for (const [internalId, entry] of this.pending) {
      if (entry.sink !== sink) continue;
      this.settleCancelled(internalId, entry);
      this.onmessage?.({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: internalId, reason: 'client disconnected' },
      });
    }
    this.broadcastSinks.delete(sink);
  }

  /**
   * Answers every request still pending with a JSON-RPC error (shutdown past its drain deadline), so
   * clients get an answer instead of a reset connection, and cancels them in the server so their tool
   * handlers see the abort. Returns how many were answered.
   */
  answerAllPending(code: number, message: string): number {
    const entries = [...this.pending];
    for (const [internalId, entry] of entries) {
      this.forget(internalId, entry);
      const response = { jsonrpc: '2.0', id: entry.clientId, error: { code, message } } as JSONRPCMessage;
      entry.sink.deliverResponse(response);
      this.options.onRequestCompleted?.({
        method: entry.method,
        params: entry.params,
        authInfo: entry.authInfo,
        durationMs: performance.now() - entry.startedAt,
        response,
      });
      this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: internalId, reason: message } });
    }
    return entries.length;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ('result' in message || 'error' in message) {
      this.routeResponse(message as JSONRPCMessage & { id: RequestId });
      return;
    }
    const related = options?.relatedRequestId;
    if (related !== undefined) {
      const entry = this.pending.get(related as number);
      if (!entry?.sink.open) {
        this.options.onDropped?.('a message for a request whose client is gone');
        return;
      }
      if ('id' in message) this.serverRequests.set(message.id, entry.sink);
      if (!filteredOut(message, entry.sink)) entry.sink.deliverMessage(message);
      return;
    }
    if ('id' in message) {
      // A server request tied to no client request has no one to answer it on a shared server.
      this.options.onDropped?.('a server request with no related client request');
      return;
    }
    for (const sink of this.broadcastSinks) {
      if (!sink.open) this.broadcastSinks.delete(sink);
      else if (!filteredOut(message, sink)) sink.deliverMessage(message);
    }
  }

  private routeResponse(message: JSONRPCMessage & { id: RequestId }): void {
    const internalId = message.id as number;
    const entry = this.pending.get(internalId);
    if (!entry) {
      this.options.onDropped?.('a response for an unknown or cancelled request');
      return;
    }
    this.forget(internalId, entry);
    const restored = { ...message, id: entry.clientId } as JSONRPCMessage;
    entry.sink.deliverResponse(restored);
    this.options.onRequestCompleted?.({
      method: entry.method,
      params: entry.params,
      authInfo: entry.authInfo,
      durationMs: performance.now() - entry.startedAt,
      response: restored,
    });
  }

  private settleCancelled(internalId: number, entry: PendingRequest): void {
    this.forget(internalId, entry);
    entry.sink.requestCancelled();
    this.options.onRequestCompleted?.({
      method: entry.method,
      params: entry.params,
      authInfo: entry.authInfo,
      durationMs: performance.now() - entry.startedAt,
      response: undefined,
    });
  }

  private forget(internalId: number, entry: PendingRequest): void {
    this.pending.delete(internalId);
    if (this.byClientKey.get(entry.cancelKey) === internalId) this.byClientKey.delete(entry.cancelKey);
  }
}
