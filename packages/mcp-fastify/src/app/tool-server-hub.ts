/**
 * The legacy era (2025-11-25 and older): one long-lived McpServer per distinct set of visible tools
 * (tool-access.ts), each behind its own message router, so that `tools/list` shows a caller only the
 * tools its role may call and its token's scopes cover, or that a step-up scope covers (one consent
 * away: the call answers 403 and the client re-authorizes; see scope-guard.ts). Roles and scope sets
 * are few, so servers are few; they are built on first use and live for the process. Building a
 * server per request is what makes the SDK's stateless serving slow; the modern era, which the SDK
 * serves only per request, uses a pool instead (modern-era/tool-server-pool.ts).
 *
 * A shared server must hold no per-client state: `initialize` and `logging/setLevel` are answered
 * here, per session (sessions/session-handshake.ts), and never reach it.
 *
 * Calls to a tool the caller's role may not use are refused here, before the SDK sees them, with a
 * JSON-RPC error that says why, and an audit event with decision "deny".
 */
import type { ToolScopeRule } from '@mcp-auth/auth';
import type { ToolDefinition } from '@mcp-auth/tools';
import type { AuthInfo, JSONRPCMessage, McpServer, MessageExtraInfo, RequestId } from '@modelcontextprotocol/server';
import type { FastifyBaseLogger } from 'fastify';
import type { MessageKind } from '../routing/jsonrpc.js';
import { type CompletedRequest, McpMessageRouter } from '../routing/message-router.js';
import type { MessageSink } from '../routing/message-sink.js';
import { answerHandshake, isHandshakeMethod, isHandshakeNotification } from '../sessions/session-handshake.js';
import type { McpSession } from '../sessions/session-registry.js';
import { accessOf, roleRefusal, TOOL_REFUSED_CODE, visibleSetKey, visibleTools } from './tool-access.js';
import { createToolServer, type ServerInfo } from './tool-server.js';

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
  /**
   * The entry each AuthInfo was routed to: the auth hook reuses one frozen AuthInfo per credential,
   * so the visible-set key (a sort and join per request) is computed once per credential. Entries
   * live as long as the hub, so the remembered entry never goes stale.
   */
  private readonly entryByAuthInfo = new WeakMap<AuthInfo, { server: McpServer; router: McpMessageRouter }>();

  constructor(private readonly options: ToolServerHubOptions) {}

  private entryFor(authInfo: AuthInfo | undefined) {
    const known = authInfo && this.entryByAuthInfo.get(authInfo);
    if (known) return known;
    const entry = this.entryForKey(authInfo);
    // Only a frozen AuthInfo: one that could change its scopes or access must be looked at each time.
    if (authInfo && Object.isFrozen(authInfo)) this.entryByAuthInfo.set(authInfo, entry);
    return entry;
  }

  private entryForKey(authInfo: AuthInfo | undefined) {
    const key = visibleSetKey(authInfo, this.options.scopes);
    let entry = this.entries.get(key);
    if (!entry) {
      const visible = visibleTools(this.options.tools, authInfo, this.options.scopes);
      const server = createToolServer(this.options.info, visible, this.options.log, this.options.instructions);
      const router = new McpMessageRouter({
        onRequestCompleted: this.options.onRequestCompleted,
        onDropped: (reason) => this.options.log.debug({ reason }, 'message dropped'),
      });
      // connect() installs its handlers synchronously; our transport's start() has nothing to wait for.
      void server.connect(router);
      entry = { server, router };
      this.entries.set(key, entry);
    }
    return entry;
  }

  /**
   * Hands one message from `sink`'s client to the server for its visible set. `session` is the
   * client's session when it has one (its initialize and log level are kept there).
   */
  dispatch(kind: MessageKind, message: JSONRPCMessage, sink: MessageSink, extra: MessageExtraInfo, session: McpSession | undefined): void {
    if (kind === 'notification' && isHandshakeNotification((message as { method: string }).method)) return;
    if (kind === 'request') {
      const request = message as { id: RequestId; method: string; params?: Record<string, unknown> };
      if (isHandshakeMethod(request.method)) {
        const { server } = this.entryFor(extra.authInfo);
        const identity = {
          serverInfo: this.options.info,
          capabilities: server.server.getCapabilities(),
          instructions: this.options.instructions,
        };
        sink.deliverResponse(answerHandshake(request, session, identity).response);
        return;
      }
      const tool = request.params?.name;
      if (request.method === 'tools/call' && typeof tool === 'string') {
        const refusal = roleRefusal(accessOf(extra.authInfo), tool, this.options.info.name);
        if (refusal) {
          this.options.onDenied(tool, extra);
          sink.deliverResponse({ jsonrpc: '2.0', id: request.id, error: { code: TOOL_REFUSED_CODE, message: refusal } });
          return;
        }
      }
    }
    this.entryFor(extra.authInfo).router.dispatch(kind, message, sink, extra);
  }

  addBroadcastSink(sink: MessageSink, authInfo: AuthInfo | undefined): void {
    this.entryFor(authInfo).router.addBroadcastSink(sink);
  }

  /** The shared servers built so far, by visible set (tests check they hold no client's state). */
  get servers(): readonly McpServer[] {
    return [...this.entries.values()].map(({ server }) => server);
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
