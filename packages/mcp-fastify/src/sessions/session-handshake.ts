/**
 * The legacy era's per-client protocol state, kept per session by the kit rather than on the shared
 * McpServer: what a client says in `initialize` (its protocol version, info and capabilities) and the
 * level it picks with `logging/setLevel`.
 *
 * Why here: the legacy era's servers are long-lived and shared by every caller with the same visible
 * tools (tool-server-hub.ts). An SDK server records initialize and the logging level on itself, so
 * with a shared server the last client's initialize would set the client capabilities for everyone
 * and one client's logging level would apply to all. The kit answers these two requests itself, from
 * the shared server's own capabilities and instructions, and the shared server never sees them: no
 * client can change what another sees. The modern era has neither request (2026-07-28 carries client
 * info and the log level in each request's `_meta`).
 */
import {
  type Implementation,
  type JSONRPCMessage,
  LATEST_PROTOCOL_VERSION,
  type LoggingLevel,
  ProtocolErrorCode,
  type RequestId,
  type ServerCapabilities,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import type { McpSession } from './session-registry.js';

/** RFC 5424 severities, in the order MCP's `logging/setLevel` compares them. */
const LOG_LEVELS: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** What the server says about itself in every initialize answer. */
export interface ServerIdentity {
  readonly serverInfo: Implementation;
  readonly capabilities: ServerCapabilities;
  readonly instructions?: string | undefined;
}

/** What one client said in its initialize, kept on its session. */
export interface InitializedClient {
  readonly protocolVersion: string;
  readonly clientInfo: unknown;
  readonly capabilities: unknown;
}

/** The methods this module answers; everything else goes to the shared server. */
export function isHandshakeMethod(method: string): boolean {
  return method === 'initialize' || method === 'logging/setLevel';
}

/** A notification that only matters to per-session state the kit already holds (the shared server must not see it). */
export function isHandshakeNotification(method: string): boolean {
  return method === 'notifications/initialized';
}

function error(id: RequestId, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code: ProtocolErrorCode.InvalidParams, message } };
}

/**
 * Answers `initialize` or `logging/setLevel` for one client, recording what it said on `session`
 * (none for a stateless client, whose every request stands alone). The version rule is the spec's
 * (basic/lifecycle): the requested version when supported, else the latest this server speaks.
 */
export function answerHandshake(
  request: { id: RequestId; method: string; params?: Record<string, unknown> },
  session: McpSession | undefined,
  identity: ServerIdentity,
): { response: JSONRPCMessage; negotiated?: string } {
  const params = request.params ?? {};
  if (request.method === 'initialize') {
    const requested = params.protocolVersion;
    if (typeof requested !== 'string') return { response: error(request.id, 'initialize needs params.protocolVersion (a string)') };
    const negotiated = SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
    if (session) session.client = { protocolVersion: negotiated, clientInfo: params.clientInfo, capabilities: params.capabilities };
    return {
      negotiated,
      response: {
        jsonrpc: '2.0',
        id: request.id,
        result: {
          protocolVersion: negotiated,
          capabilities: identity.capabilities,
          serverInfo: identity.serverInfo,
          ...(identity.instructions ? { instructions: identity.instructions } : {}),
        },
      },
    };
  }
  const level = params.level;
  if (typeof level !== 'string' || !LOG_LEVELS.includes(level as LoggingLevel)) {
    return { response: error(request.id, `logging/setLevel needs params.level, one of ${LOG_LEVELS.join(', ')}`) };
  }
  if (session) session.logLevel = level as LoggingLevel;
  return { response: { jsonrpc: '2.0', id: request.id, result: {} } };
}

/** Whether a `notifications/message` at `level` is below what the client asked for (and so not sent to it). */
export function belowLogLevel(level: unknown, minimum: LoggingLevel | undefined): boolean {
  if (minimum === undefined) return false;
  return LOG_LEVELS.indexOf(level as LoggingLevel) < LOG_LEVELS.indexOf(minimum);
}
