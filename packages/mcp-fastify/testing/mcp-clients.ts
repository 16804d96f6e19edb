/**
 * The MCP clients the tests drive servers with, by kind, so that every test (and the role matrix)
 * connects the same way:
 *
 * - `v2-legacy`: the SDK v2 client (`@modelcontextprotocol/client`) with its default negotiation, the
 *   2025-11-25 `initialize` handshake, over Streamable HTTP;
 * - `v2-modern`: the same client pinned to 2026-07-28 (`server/discover`, no session), which never
 *   falls back;
 * - `v1`: the SDK v1 client (`@modelcontextprotocol/sdk` 1.32.2, 2025-11-25) over Streamable HTTP;
 * - `sse`: the SDK v2 client over the HTTP+SSE transport of 2024-11-05 (GET /sse, POST /messages), as
 *   the article's clients connect.
 *
 * Every HTTP answer a client gets is recorded (`exchanges`), so a test can see the status and the
 * challenge behind an error, and the session the server gave it, whatever the kind.
 */
import {
  type AuthProvider,
  type CallToolResult,
  Client,
  type OAuthClientProvider,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Tool,
} from '@modelcontextprotocol/client';
// The v1 client stays on purpose: clients in the field still run SDK v1, and the role matrix proves
// the servers keep answering them (v1 tops out at 2025-11-25).
import type { OAuthClientProvider as V1OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export type ClientKind = 'v2-legacy' | 'v2-modern' | 'v1' | 'sse';

/** Every client kind, in the order the tests run them; every server answers all of them. */
export const CLIENT_KINDS: readonly ClientKind[] = ['v2-legacy', 'v1', 'sse', 'v2-modern'];

/** Legacy-era kinds hold a session (Mcp-Session-Id, or the sessionId of the SSE endpoint). */
export const isLegacyKind = (kind: ClientKind): boolean => kind !== 'v2-modern';

/** The protocol revision the modern kind pins. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** One HTTP answer a test client got. */
export interface HttpExchange {
  method: string;
  url: string;
  status: number;
  wwwAuthenticate: string | null;
}

export interface ConnectClientOptions {
  /** Headers on every request (a credential in any form: X-API-Key, Authorization: Bearer or Basic). */
  headers?: Record<string, string>;
  /**
   * The SDK's credential source: an `OAuthClientProvider` (discovery, token requests, step-up), or,
   * for the v2 kinds, an `AuthProvider` with only `token()`.
   */
  authProvider?: AuthProvider | OAuthClientProvider;
  /** Receives every HTTP answer (also those of a connect that fails). */
  exchanges?: HttpExchange[];
  /** The client's name in `clientInfo`. */
  name?: string;
}

/** A connected client of any kind, behind the few calls the tests make. */
export interface TestClient {
  kind: ClientKind;
  /** The era the connection landed on. */
  era: 'legacy' | 'modern';
  /** The protocol version negotiated with the server. */
  protocolVersion: string | undefined;
  /** The session the server gave this connection; undefined in the modern era. */
  sessionId: string | undefined;
  listTools(): Promise<{ tools: Tool[] }>;
  /** As the SDKs call it; rejects with the SDK's error for a JSON-RPC error answer. */
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** A `fetch` that records every answer into `exchanges` and remembers the session id it saw. */
function recordingFetch(exchanges: HttpExchange[]) {
  let sessionId: string | undefined;
  const doFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const response = await fetch(input, init);
    sessionId = response.headers.get('mcp-session-id') ?? url.searchParams.get('sessionId') ?? sessionId;
    exchanges.push({
      method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
      url: url.href,
      status: response.status,
      wwwAuthenticate: response.headers.get('www-authenticate'),
    });
    return response;
  };
  return { fetch: doFetch, sessionId: () => sessionId };
}

/**
 * Connects a client of `kind` to the server at `base` (its origin: `/mcp` or `/sse` is added), with a
 * credential in `headers` or an `authProvider`. Rejects as the SDK's `connect()` does.
 */
export async function connectClient(kind: ClientKind, base: string | URL, options: ConnectClientOptions = {}): Promise<TestClient> {
  const { headers = {}, authProvider, exchanges = [], name = `test-${kind}` } = options;
  const recorder = recordingFetch(exchanges);
  const requestInit = { headers };
  if (kind === 'v1') {
    const client = new V1Client({ name, version: '1.0.0' });
    const transport = new V1StreamableHTTPClientTransport(new URL('/mcp', base), {
      requestInit,
      fetch: recorder.fetch,
      // v1's provider interface is the same OAuthClientProvider shape (v1 knows no token()-only provider).
      authProvider: authProvider as V1OAuthClientProvider | undefined,
    });
    await client.connect(transport);
    return {
      kind,
      era: 'legacy',
      protocolVersion: transport.protocolVersion,
      sessionId: transport.sessionId,
      // The same wire shapes; the two SDKs only type them apart (v1's JSON values, v2's objects).
      listTools: async () => (await client.listTools()) as unknown as { tools: Tool[] },
      callTool: async (params) => (await client.callTool(params)) as CallToolResult,
      close: () => client.close(),
    };
  }
  const client = new Client(
    { name, version: '1.0.0' },
    kind === 'v2-modern' ? { versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION } } } : {},
  );
  await client.connect(
    kind === 'sse'
      ? new SSEClientTransport(new URL('/sse', base), { requestInit, fetch: recorder.fetch, authProvider })
      : new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit, fetch: recorder.fetch, authProvider }),
  );
  return {
    kind,
    era: client.getProtocolEra() ?? 'legacy',
    protocolVersion: client.getNegotiatedProtocolVersion(),
    sessionId: recorder.sessionId(),
    listTools: () => client.listTools(),
    callTool: (params) => client.callTool(params),
    close: () => client.close(),
  };
}
