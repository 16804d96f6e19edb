/**
 * Builds the one McpServer a process serves: registers the tool definitions, turns a ToolError (or a
 * write refused because another process held the database lock too long) into a tool error result
 * the caller can read, and hides any other exception behind a generic message.
 */

import { DatabaseBusyError, type Principal, type ServerAccess } from '@mcp-auth/auth';
import { type ToolDefinition, ToolError } from '@mcp-auth/tools';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyBaseLogger } from 'fastify';

export interface ServerInfo {
  name: string;
  version: string;
  title?: string;
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

export function createToolServer(
  info: ServerInfo,
  tools: readonly ToolDefinition[],
  log: FastifyBaseLogger,
  instructions?: string,
): McpServer {
  const server = new McpServer(info, { capabilities: { tools: {}, logging: {} }, ...(instructions ? { instructions } : {}) });
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        ...(tool.title ? { title: tool.title } : {}),
        description: tool.description,
        inputSchema: tool.inputSchema,
        ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
        annotations: tool.annotations,
      },
      async (args: unknown, extra) => {
        const principal = extra.authInfo?.extra?.principal as Principal | undefined;
        const access = extra.authInfo?.extra?.access as ServerAccess | undefined;
        const progressToken = extra._meta?.progressToken;
        const reportProgress = async (progress: number, total?: number, message?: string) => {
          if (progressToken === undefined) return;
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress, ...(total === undefined ? {} : { total }), ...(message ? { message } : {}) },
          });
        };
        try {
          return await tool.handler(args, { principal, access, signal: extra.signal, reportProgress });
        } catch (error) {
          if (error instanceof ToolError || error instanceof DatabaseBusyError) return errorResult(error.message);
          log.error({ err: error, tool: tool.name }, 'tool failed unexpectedly');
          return errorResult(`Internal error in ${tool.name}; the server log has details`);
        }
      },
    );
  }
  return server;
}
