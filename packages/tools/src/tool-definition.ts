/**
 * A tool as data: what the server kit registers with the SDK's McpServer. Tools read the caller from
 * `context.principal` (set by the server's verifier) and never decide access themselves.
 */

import type { Principal, ServerAccess } from '@mcp-auth/auth';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/server';
import type { z } from 'zod';

export interface ToolContext {
  /** The authenticated caller. Always set on servers built with the kit. */
  readonly principal: Principal | undefined;
  /**
   * What the server's policy grants this principal here: which field classes it may see (`pay`,
   * `personal`) and whether it sees all rows or only its own. Undefined on servers without RBAC.
   */
  readonly access: ServerAccess | undefined;
  /** Aborted when the client cancels the call or disconnects. */
  readonly signal: AbortSignal;
  /** Sends `notifications/progress` when the caller asked for progress (a `progressToken`); else a no-op. */
  readonly reportProgress: (progress: number, total?: number, message?: string) => Promise<void>;
  /**
   * Sends a log message (`notifications/message`) to the caller, at or above the level it asked for:
   * per session in the 2025 era (logging/setLevel), per request in 2026-07-28 (none unless asked).
   */
  readonly log: (level: LogLevel, data: unknown) => Promise<void>;
}

/** MCP's log levels (RFC 5424 severities). */
export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';

export interface ToolDefinition {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly inputSchema: z.ZodRawShape;
  readonly outputSchema?: z.ZodRawShape;
  readonly annotations: ToolAnnotations;
  // biome-ignore lint/suspicious/noExplicitAny: erased here; defineTool checks the real argument type
  readonly handler: (args: any, context: ToolContext) => Promise<CallToolResult> | CallToolResult;
}

/** Declares a tool with its argument type inferred from `inputSchema`. */
export function defineTool<In extends z.ZodRawShape>(definition: {
  name: string;
  title?: string;
  description: string;
  inputSchema: In;
  outputSchema?: z.ZodRawShape;
  annotations: ToolAnnotations;
  handler: (args: z.infer<z.ZodObject<In>>, context: ToolContext) => Promise<CallToolResult> | CallToolResult;
}): ToolDefinition {
  return definition;
}

/**
 * An error whose message is meant for the caller (bad input, provider unreachable). Anything else a
 * tool throws is logged and answered with a generic message, so internals never reach the client.
 */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}
