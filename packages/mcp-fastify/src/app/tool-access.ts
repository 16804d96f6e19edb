/**
 * What a caller may see and call among a server's tools, as two rules both eras share:
 * - the visible set (and the key naming it): the tools its role may use, narrowed by its token's
 *   scopes (step-up tools stay visible; see scope-guard.ts). Servers are built per visible set, so
 *   `tools/list` shows a caller exactly its own tools, and a tool outside the set does not exist on
 *   the server that serves the caller;
 * - the role refusal: a `tools/call` naming a tool the role may not use is refused before any tool
 *   code runs, with a message that says why. The legacy era applies it per message (tool-server-hub.ts),
 *   the modern era from the `Mcp-Name` header before the body is read (modern-era/header-authorization.ts).
 */
import type { ServerAccess, ToolScopeRule } from '@mcp-auth/auth';
import type { ToolDefinition } from '@mcp-auth/tools';
import { type AuthInfo, ProtocolErrorCode } from '@modelcontextprotocol/server';

/** JSON-RPC "invalid params", which MCP uses for calls naming a tool the caller cannot call. */
export const TOOL_REFUSED_CODE = ProtocolErrorCode.InvalidParams;

export function accessOf(authInfo: AuthInfo | undefined): ServerAccess | undefined {
  return authInfo?.extra?.access as ServerAccess | undefined;
}

/** Names the visible set: what it depends on and nothing else, so maps keyed by it stay as small as the policy. */
export function visibleSetKey(authInfo: AuthInfo | undefined, scopes: ToolScopeRule | undefined): string {
  const access = accessOf(authInfo);
  const granted = authInfo?.scopes ?? [];
  return `${access?.tools ? [...access.tools].sort().join(',') : '*'}|${scopes ? scopes.key(granted) : '*'}`;
}

export function visibleTools(
  tools: readonly ToolDefinition[],
  authInfo: AuthInfo | undefined,
  scopes: ToolScopeRule | undefined,
): ToolDefinition[] {
  const access = accessOf(authInfo);
  const granted = authInfo?.scopes ?? [];
  return tools.filter((t) => (!access?.tools || access.tools.has(t.name)) && (!scopes || scopes.lists(granted, t.name)));
}

/** Why the caller's role may not call `tool` on `server`, or undefined when it may (or the server has no RBAC). */
export function roleRefusal(access: ServerAccess | undefined, tool: string, server: string): string | undefined {
  if (!access?.tools || access.tools.has(tool)) return undefined;
  return `Tool ${tool} is not available to role ${access.role} on ${server}`;
}
