/**
 * The agent's connections: one MCP client (SDK v2) per permitted server, over Streamable HTTP in the
 * era the version negotiation lands on, with a fallback to legacy SSE, all sharing one credential
 * source. A server that is down or refuses is reported with the real cause (connection-failure.ts)
 * and skipped; the others keep working. Tools are exposed as `namespace.tool`.
 */
import {
  type CallToolResult,
  Client,
  type ProtocolEra,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Tool,
  type VersionNegotiationMode,
} from '@modelcontextprotocol/client';
import type { CredentialSource } from '../identity/token-source.js';
import { authenticatedFetch } from './authenticated-fetch.js';
import { describeFailure, isFinal, networkCode, recordingFetch } from './connection-failure.js';
import type { ServerTarget } from './select-servers.js';

export interface AgentTool {
  /** `hr.get_employee_records` */
  qualifiedName: string;
  server: ServerTarget;
  tool: Tool;
  readOnly: boolean;
}

export interface ConnectionReport {
  server: ServerTarget;
  ok: boolean;
  transport?: 'streamable-http' | 'sse';
  /** The era and protocol version the connection landed on. */
  era?: ProtocolEra;
  protocolVersion?: string;
  reason?: string;
}

export class ServerPool {
  private readonly clients = new Map<string, Client>();
  readonly tools = new Map<string, AgentTool>();
  constructor(
    private readonly credentials: CredentialSource,
    private readonly onRenewed: () => void = () => {},
    private readonly versionNegotiation: VersionNegotiationMode = 'auto',
  ) {}

  async connect(targets: readonly ServerTarget[]): Promise<ConnectionReport[]> {
    const doFetch = authenticatedFetch(this.credentials, this.onRenewed);
    return Promise.all(targets.map((target) => this.connectOne(target, doFetch)));
  }

  private async connectOne(server: ServerTarget, authed: typeof fetch): Promise<ConnectionReport> {
    let lastError: unknown;
    const recorder = recordingFetch(authed);
    const doFetch = recorder.fetch;
    // A pinned revision is that revision or nothing: no fallback to the legacy SSE transport either.
    const pinned = typeof this.versionNegotiation === 'object';
    for (const transport of pinned ? (['streamable-http'] as const) : (['streamable-http', 'sse'] as const)) {
      // HTTP+SSE is the 2024-11-05 transport: there is no modern era to probe for over it.
      const mode = transport === 'sse' ? 'legacy' : this.versionNegotiation;
      const client = new Client({ name: 'mcp-auth-agent', version: '0.1.0' }, { versionNegotiation: { mode } });
      try {
        await client.connect(
          transport === 'streamable-http'
            ? new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { fetch: doFetch })
            : new SSEClientTransport(new URL(`${server.url}/sse`), { fetch: doFetch, eventSourceInit: { fetch: doFetch } }),
        );
        const { tools } = await client.listTools();
        this.clients.set(server.namespace, client);
        for (const tool of tools) {
          this.tools.set(`${server.namespace}.${tool.name}`, {
            qualifiedName: `${server.namespace}.${tool.name}`,
            server,
            tool,
            readOnly: tool.annotations?.readOnlyHint === true,
          });
        }
        return {
          server,
          ok: true,
          transport,
          era: client.getProtocolEra(),
          protocolVersion: client.getNegotiatedProtocolVersion(),
        };
      } catch (error) {
        lastError = error;
        await client.close().catch(() => undefined);
        // A refusal, a server error or an unreachable host is the answer: SSE would get the same.
        // Only fall back when the transport itself is the problem (an older server: 404, 405).
        if (isFinal(error, recorder.last())) break;
      }
    }
    return { server, ok: false, reason: describeFailure(server, lastError, recorder.last()) };
  }

  /** Calls `namespace.tool`; the caller has already decided the call may go ahead. */
  async call(qualifiedName: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const entry = this.tools.get(qualifiedName);
    if (!entry) throw new Error(`No tool ${qualifiedName}; /tools lists what your role may use`);
    const client = this.clients.get(entry.server.namespace) as Client;
    try {
      return await client.callTool({ name: entry.tool.name, arguments: args });
    } catch (error) {
      const code = networkCode(error);
      if (code) throw new Error(`${entry.server.name} at ${entry.server.url} is not reachable (${code})`);
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close().catch(() => undefined)));
  }
}
