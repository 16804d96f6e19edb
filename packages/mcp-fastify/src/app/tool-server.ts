/**
 * Builds an McpServer (SDK v2) for a set of tool definitions: registers them, turns a ToolError (or a
 * write refused because another process held the database lock too long) into a tool error result
 * the caller can read, and hides any other exception behind a generic message.
 *
 * The same builder serves both protocol eras: the legacy era's long-lived servers (tool-server-hub.ts)
 * and the modern era's pooled ones (modern-era/). Each tool's Zod object is built once per process,
 * not once per server, so a pooled server costs its registration and nothing more.
 */

import type { Principal, ServerAccess } from '@mcp-auth/auth';
import { type LogLevel, type ToolDefinition, ToolError } from '@mcp-auth/tools';
import { type CallToolResult, McpServer } from '@modelcontextprotocol/server';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { isRetryableUnavailable } from '../http/unavailable.js';

export interface ServerInfo {
  name: string;
  version: string;
  title?: string;
}

/** How long a client may reuse a 2026-07-28 `tools/list` (ttlMs), within its own authorization. */
export const TOOLS_LIST_TTL_MS = 60_000;

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

interface ToolSchemas {
  input: z.ZodObject;
  output: z.ZodObject | undefined;
}

const schemasByTool = new WeakMap<ToolDefinition, ToolSchemas>();

function schemasOf(tool: ToolDefinition): ToolSchemas {
  let schemas = schemasByTool.get(tool);
  if (!schemas) {
    schemas = { input: z.object(tool.inputSchema), output: tool.outputSchema ? z.object(tool.outputSchema) : undefined };
    schemasByTool.set(tool, schemas);
  }
  return schemas;
}

export function createToolServer(
  info: ServerInfo,
  tools: readonly ToolDefinition[],
  log: FastifyBaseLogger,
  instructions?: string,
): McpServer {
  const server = new McpServer(info, {
    capabilities: { tools: {}, logging: {} },
    ...(instructions ? { instructions } : {}),
    // The list depends on who asks (role and scopes): a cache may keep it for that caller only
    // (2026-07-28 server/utilities/caching: "private" results are never shared across authorizations).
    cacheHints: { 'tools/list': { ttlMs: TOOLS_LIST_TTL_MS, cacheScope: 'private' } },
  });
  server.server.onerror = (error) => log.warn({ err: error }, 'MCP protocol error');
  for (const tool of tools) {
    const schemas = schemasOf(tool);
    server.registerTool(
      tool.name,
      {
        ...(tool.title ? { title: tool.title } : {}),
        description: tool.description,
        inputSchema: schemas.input,
        ...(schemas.output ? { outputSchema: schemas.output } : {}),
        annotations: tool.annotations,
      },
      async (args: unknown, ctx) => {
        const authInfo = ctx.http?.authInfo;
        const principal = authInfo?.extra?.principal as Principal | undefined;
        const access = authInfo?.extra?.access as ServerAccess | undefined;
        const progressToken = ctx.mcpReq._meta?.progressToken;
        const reportProgress = async (progress: number, total?: number, message?: string) => {
          if (progressToken === undefined) return;
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken, progress, ...(total === undefined ? {} : { total }), ...(message ? { message } : {}) },
          });
        };
        try {
          const log = (level: LogLevel, data: unknown) => ctx.mcpReq.log(level, data, info.name);
          return await tool.handler(args, { principal, access, signal: ctx.mcpReq.signal, reportProgress, log });
        } catch (error) {
          // A database that is busy or cannot be reached (DATABASE_URL down or restarting) is said as it
          // is, a result the caller can retry; nothing was written. The request itself was answered.
          if (error instanceof ToolError || isRetryableUnavailable(error)) return errorResult(error.message);
          log.error({ err: error, tool: tool.name }, 'tool failed unexpectedly');
          return errorResult(`Internal error in ${tool.name}; the server log has details`);
        }
      },
    );
  }
  return server;
}
