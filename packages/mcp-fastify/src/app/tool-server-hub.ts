/**
 * One McpServer per distinct set of visible tools, each behind its own message router, so that
 * `tools/list` shows a caller only the tools its role may call and its token's scopes cover, or that a
 * step-up scope covers (one consent away: the call answers 403 and the client re-authorizes; see
 * scope-guard.ts). The SDK's McpServer has no per-caller listing. Roles and scope sets are few, so
 * servers are few; they are built on first use and live for the process.
 *
 * Calls to a tool the caller's role may not use are refused here, before the SDK sees them, with a
 * JSON-RPC error that says why, and an audit event with decision "deny".
 */
import type { ServerAccess, ToolScopeRule } from '@mcp-auth/auth';
import type { ToolDefinition } from '@mcp-auth/tools';
import type { AuthInfo, JSONRPCMessage, McpServer, MessageExtraInfo, RequestId } from '@modelcontextprotocol/server';
import type { FastifyBaseLogger } from 'fastify';
import type { MessageKind } from '../routing/jsonrpc.js';
import { type CompletedRequest, McpMessageRouter } from '../routing/message-router.js';
import type { MessageSink } from '../routing/message-sink.js';
import { createToolServer, type ServerInfo } from './tool-server.js';

/** JSON-RPC "invalid params", which MCP uses for calls naming a tool the caller cannot call. */
const INVALID_PARAMS = -32602;

export interface ToolServerHubOptions {
  info: ServerInfo;
  tools: readonly ToolDefinition[];
  instructions?: string | undefined;
  log: FastifyBaseLogger;
  /** Per-tool scopes (method 3): narrows each listing to what the token's scopes cover. */
  scopes?: ToolScopeRule | undefined;
  onRequestCompleted: (completed: CompletedRequest) => void;
  onDenied: (tool: string, extra: MessageExtraInfo) => void;
}

export class ToolServerHub {
  private readonly entries = new Map<string, { server: McpServer; router: McpMessageRouter }>();

  constructor(private readonly options: ToolServerHubOptions) {}

  private entryFor(authInfo: AuthInfo | undefined) {
    const access = authInfo?.extra?.access as ServerAccess | undefined;
    const { scopes } = this.options;
    const granted = authInfo?.scopes ?? [];
    // What the visible set depends on, and nothing else, so the map stays as small as the policy.
    const key = `${access?.tools ? [...access.tools].sort().join(',') : '*'}|${scopes ? scopes.key(granted) : '*'}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const visible = this.options.tools.filter(
        (t) => (!access?.tools || access.tools.has(t.name)) && (!scopes || scopes.lists(granted, t.name)),
      );
      const server = createToolServer(this.options.info, visible, this.options.log, this.options.instructions);
      const router = new McpMessageRouter({
        onRequestCompleted: this.options.onRequestCompleted,
        onDropped: (reason) => this.options.log.debug({ reason }, 'message dropped'),
      });
      // connect() installs its handlers synchronously; our transport's start() has nothing to wait for.
      void server.connect(router);
      server.server.onerror = (error) => this.options.log.warn({ err: error }, 'MCP protocol error');
      entry = { server, router };
      this.entries.set(key, entry);
    }
    return entry;
  }

  dispatch(kind: MessageKind, message: JSONRPCMessage, sink: MessageSink, extra: MessageExtraInfo): void {
    const access = extra.authInfo?.extra?.access as ServerAccess | undefined;
    if (kind === 'request' && access?.tools) {
      const request = message as { id: RequestId; method: string; params?: { name?: unknown } };
      const tool = request.params?.name;
      if (request.method === 'tools/call' && typeof tool === 'string' && !access.tools.has(tool)) {
        this.options.onDenied(tool, extra);
        sink.deliverResponse({
          jsonrpc: '2.0',
          id: request.id,
          error: { code: INVALID_PARAMS, message: `Tool ${tool} is not available to role ${access.role} on ${this.options.info.name}` },
        });
        return;
      }
    }
    this.entryFor(extra.authInfo).router.dispatch(kind, message, sink, extra);
  }

  addBroadcastSink(sink: MessageSink, authInfo: AuthInfo | undefined): void {
    this.entryFor(authInfo).router.addBroadcastSink(sink);
  }

  /** Cancels whatever `sink` still has pending, wherever it was routed. */
  abandon(sink: MessageSink): void {
    for (const { router } of this.entries.values()) router.abandon(sink);
  }

  /** Answers every call still running, on every server, with a JSON-RPC error; returns how many. */
  answerAllPending(code: number, message: string): number {
    let answered = 0;
    for (const { router } of this.entries.values()) answered += router.answerAllPending(code, message);
    return answered;
  }

  async close(): Promise<void> {
    await Promise.all([...this.entries.values()].map(({ server }) => server.close()));
  }
}
