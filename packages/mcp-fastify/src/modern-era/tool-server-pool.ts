/**
 * Servers for the modern era (2026-07-28), pooled by visible tool set (app/tool-access.ts).
 *
 * The SDK serves the modern era only through `createMcpHandler`, which asks a factory for a server
 * per request and closes it when the exchange ends. Building an McpServer (registering every tool,
 * converting schemas) per request is what makes the SDK's own stateless serving slow, so the factory
 * here hands out an idle server built earlier for the same visible set, and takes it back when the
 * SDK closes it. A server serves one exchange at a time, so a burst of N concurrent calls builds N
 * servers; at most `maxIdlePerSet` of them are kept afterwards.
 *
 * Why a pooled server leaks nothing between callers: each one only ever holds the tools of one
 * visible set (every caller it serves may see exactly those), and the SDK rebinds everything a request
 * carries (era, client info and capabilities from `_meta`, auth info) when it hands the server the
 * next exchange. A tool a caller may not use does not exist on the server that serves it.
 */
import type { ToolScopeRule } from '@mcp-auth/auth';
import type { ToolDefinition } from '@mcp-auth/tools';
import type { AuthInfo, McpServer } from '@modelcontextprotocol/server';
import type { FastifyBaseLogger } from 'fastify';
import { visibleSetKey, visibleTools } from '../app/tool-access.js';
import { createToolServer, type ServerInfo } from '../app/tool-server.js';

export interface ToolServerPoolOptions {
  info: ServerInfo;
  tools: readonly ToolDefinition[];
  instructions?: string | undefined;
  log: FastifyBaseLogger;
  scopes?: ToolScopeRule | undefined;
  /** Idle servers kept per visible set once a burst is over. Default 64. */
  maxIdlePerSet?: number;
}

export class ToolServerPool {
  private readonly idle = new Map<string, McpServer[]>();
  private readonly maxIdlePerSet: number;
  private built = 0;

  constructor(private readonly options: ToolServerPoolOptions) {
    this.maxIdlePerSet = options.maxIdlePerSet ?? 64;
  }

  /** How many servers the pool has built so far (tests and the bench read it). */
  get serversBuilt(): number {
    return this.built;
  }

  /** A server for `authInfo`'s visible set, returned to the pool when the SDK closes it. */
  take(authInfo: AuthInfo | undefined): McpServer {
    const key = visibleSetKey(authInfo, this.options.scopes);
    const server = this.idle.get(key)?.pop() ?? this.build(authInfo);
    let returned = false;
    // Set afresh on every take: the SDK wraps onclose per exchange, and this drops the last wrapper.
    server.server.onclose = () => {
      if (returned) return;
      returned = true;
      const idle = this.idle.get(key) ?? [];
      if (idle.length < this.maxIdlePerSet) {
        idle.push(server);
        this.idle.set(key, idle);
      }
    };
    return server;
  }

  private build(authInfo: AuthInfo | undefined): McpServer {
    this.built += 1;
    const { info, tools, log, instructions, scopes } = this.options;
    return createToolServer(info, visibleTools(tools, authInfo, scopes), log, instructions);
  }

  /** Forgets every idle server (shutdown). */
  clear(): void {
    this.idle.clear();
  }
}
