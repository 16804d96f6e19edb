/**
 * The agent's connections: one MCP client per permitted server, over Streamable HTTP with a fallback
 * to legacy SSE, all sharing one credential source. A server that is down or refuses (403) is
 * reported and skipped; the others keep working. Tools are exposed as `namespace.tool`.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CredentialSource } from '../identity/token-source.js';
import { authenticatedFetch } from './authenticated-fetch.js';
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
  reason?: string;
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/\b403\b|insufficient_scope|forbidden/i.test(message)) return 'refused (403): this role may not use it';
  if (/\b401\b|unauthorized|invalid_token/i.test(message)) return `refused (401): ${message}`;
  if (/ECONNREFUSED|fetch failed|ENOTFOUND|EHOSTUNREACH/i.test(message)) return 'unreachable (is it running?)';
  return message;
}

export class ServerPool {
  private readonly clients = new Map<string, Client>();
  readonly tools = new Map<string, AgentTool>();
  constructor(
    private readonly credentials: CredentialSource,
    private readonly onRenewed: () => void = () => {},
  ) {}

  async connect(targets: readonly ServerTarget[]): Promise<ConnectionReport[]> {
    const doFetch = authenticatedFetch(this.credentials, this.onRenewed);
    return Promise.all(targets.map((target) => this.connectOne(target, doFetch)));
  }

  private async connectOne(server: ServerTarget, doFetch: typeof fetch): Promise<ConnectionReport> {
    let lastError: unknown;
    for (const transport of ['streamable-http', 'sse'] as const) {
      const client = new Client({ name: 'mcp-auth-agent', version: '0.1.0' });
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
        return { server, ok: true, transport };
      } catch (error) {
        lastError = error;
        await client.close().catch(() => undefined);
        // A refusal is an answer: SSE would be refused the same way. Only fall back when the
        // transport itself is the problem.
        if (/\b40[13]\b|ECONNREFUSED|fetch failed/i.test(String((error as Error)?.message ?? error))) break;
      }
    }
    return { server, ok: false, reason: reasonOf(lastError) };
  }

  /** Calls `namespace.tool`; the caller has already decided the call may go ahead. */
  async call(qualifiedName: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const entry = this.tools.get(qualifiedName);
    if (!entry) throw new Error(`No tool ${qualifiedName}; /tools lists what your role may use`);
    const client = this.clients.get(entry.server.namespace) as Client;
    return (await client.callTool({ name: entry.tool.name, arguments: args })) as CallToolResult;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close().catch(() => undefined)));
  }
}
