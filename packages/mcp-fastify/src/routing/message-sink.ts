import type { JSONRPCMessage, LoggingLevel } from '@modelcontextprotocol/server';

/**
 * Where the server's messages for one client go: an HTTP response being written (Streamable HTTP), a
 * session's standalone stream, or a legacy SSE stream.
 */
export interface MessageSink {
  /** The principal this sink belongs to; replies to server-initiated requests must come from it. */
  readonly ownerId: string;
  /** False once the client is gone; the router then stops routing to it. */
  readonly open: boolean;
  /** A response to one of the requests dispatched through this sink (its id already restored). */
  deliverResponse(message: JSONRPCMessage): void;
  /** A notification or server request related to one of this sink's requests, or broadcast. */
  deliverMessage(message: JSONRPCMessage): void;
  /** One of this sink's requests was cancelled and will get no response. */
  requestCancelled(): void;
  /** The lowest log level this sink's client asked for (its session's logging/setLevel); undefined: all. */
  readonly logLevel?: LoggingLevel | undefined;
}
