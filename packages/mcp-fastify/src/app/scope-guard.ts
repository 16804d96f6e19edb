/**
 * Per-tool scopes, checked once per POST before any message reaches a tool: a tools/call whose tool
 * the token's scopes do not cover (and no `mcp`) is answered HTTP 403 with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="..."` naming every scope the request
 * needs, so the client can re-authorize for them (MCP 2025-11-25, "Runtime Insufficient Scope
 * Errors"). Both transports refuse here: Streamable HTTP's POST /mcp and legacy SSE's POST /messages,
 * where the SDK's SSE client sees the 403 as a failed send naming the scope.
 *
 * The role comes first: a tool the role may not use is left to the hub's RBAC refusal (a JSON-RPC
 * error, as before), never turned into a step-up the person could not pass. A tool the policy does
 * not name is left to the SDK ("tool not found").
 */
import { AuthError, type ChallengeOptions, type ServerAccess, type ToolScopeRule } from '@mcp-auth/auth';
import type { MessageExtraInfo } from '@modelcontextprotocol/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClassifiedMessage } from '../routing/jsonrpc.js';
import { sendAuthError } from './auth-hook.js';

export interface ScopeRefusal {
  /** The tools of the request that need scopes the token lacks. */
  tools: string[];
  error: AuthError;
}

/** The tools a POST's messages call, in order (the scope and role rules apply per tool). */
export function toolsCalledIn(messages: readonly ClassifiedMessage[]): string[] {
  const tools: string[] = [];
  for (const { kind, message } of messages) {
    const request = message as { method?: unknown; params?: { name?: unknown } };
    if (kind === 'request' && request.method === 'tools/call' && typeof request.params?.name === 'string') tools.push(request.params.name);
  }
  return tools;
}

/** The tools among `called` that the token's scopes do not cover, as one refusal; undefined when all are covered. */
export function uncoveredCalls(
  rule: ToolScopeRule,
  called: readonly string[],
  granted: readonly string[],
  access: ServerAccess | undefined,
): ScopeRefusal | undefined {
  const tools: string[] = [];
  const lacking = new Set<string>();
  for (const tool of called) {
    if (access?.tools && !access.tools.has(tool)) continue;
    const missing = rule.missing(granted, tool);
    if (!missing?.length) continue;
    tools.push(tool);
    for (const scope of missing) lacking.add(scope);
  }
  if (tools.length === 0) return undefined;
  const missing = [...lacking];
  const named = tools.length === 1 ? tools[0] : tools.join(', ');
  return {
    tools,
    // Stable text for a stable situation: the SDK client compares the whole header to stop retrying.
    error: new AuthError(
      'insufficient_scope',
      `Calling ${named} needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}, which this token does not carry`,
      {
        requiredScope: rule.challengeFor(granted, missing),
      },
    ),
  };
}

export type ScopeGuard = (request: FastifyRequest, reply: FastifyReply, tools: readonly string[]) => FastifyReply | undefined;

/**
 * The check both POST routes run after parsing and before dispatch (and the modern era from the
 * headers, before parsing: modern-era/header-authorization.ts): refuses (and audits each refused
 * call, decision "deny") or returns undefined to go on. Without a scope rule (API keys, HS256) it passes everything.
 */
export function createScopeGuard(
  rule: ToolScopeRule | undefined,
  challenge: ChallengeOptions,
  onDenied: (tool: string, extra: MessageExtraInfo, requiredScope: string) => void,
): ScopeGuard {
  if (!rule) return () => undefined;
  return (request, reply, tools) => {
    const refusal = uncoveredCalls(rule, tools, request.principal?.scopes ?? [], request.access ?? undefined);
    if (!refusal) return undefined;
    const extra = { authInfo: request.authInfo ?? undefined };
    for (const tool of refusal.tools) onDenied(tool, extra, refusal.error.requiredScope ?? '');
    return sendAuthError(reply, refusal.error, challenge);
  };
}
