/**
 * One audit event per tool call: when, who, which server and tool, the access decision, the outcome
 * and how long it took. Argument values are never recorded: they may hold personal data.
 */
import type { Principal } from '@mcp-auth/auth';
import type { MessageExtraInfo } from '@modelcontextprotocol/server';
import type { FastifyBaseLogger } from 'fastify';
import { FLAT_LINE_REDACTION } from '../http/logger.js';
import type { CompletedRequest } from '../routing/message-router.js';

export type ToolCallOutcome = 'ok' | 'tool_error' | 'error' | 'cancelled' | 'denied';

/** The fields of an audit line; `server` is the line's binding (see createAuditLog), so it appears once. */
export interface ToolCallAuditEvent {
  event: 'tool_call';
  principal: string | undefined;
  role: string | undefined;
  tool: string;
  decision: 'allow' | 'deny';
  outcome: ToolCallOutcome;
  durationMs: number;
  /** For a call refused because the token's scopes do not cover it: the scope the 403 challenge named. */
  requiredScope?: string;
}

export function outcomeOf(response: CompletedRequest['response']): ToolCallOutcome {
  if (!response) return 'cancelled';
  if ('error' in response) return 'error';
  const result = (response as { result?: { isError?: boolean } }).result;
  return result?.isError ? 'tool_error' : 'ok';
}

/**
 * The audit log of one server: `completed` for calls that ran (or were cancelled), `denied` for calls
 * refused by policy before they reached a tool (by role, or with `requiredScope` by the token's
 * scopes). Both write the same event shape.
 */
export function createAuditLog(log: FastifyBaseLogger, server: string) {
  // The event is flat and holds no secret by construction (ToolCallAuditEvent); top-level redaction
  // still censors a secret-named field should one ever be added. A child's `redact` replaces the
  // application logger's (pino 10), which keeps its wildcards for lines of any shape.
  // The server is named once per line: servers' loggers already bind it (pino writes a key bound twice
  // twice, and a JSON reader keeps either), so the audit child binds it only when the logger does not.
  // (Fastify's logger type omits pino's bindings(); every logger here is pino's.)
  const bound = (log as FastifyBaseLogger & { bindings?: () => { server?: unknown } }).bindings?.() ?? {};
  const audit = log.child(bound.server === undefined ? { audit: true, server } : { audit: true }, {
    redact: { paths: FLAT_LINE_REDACTION, censor: '[redacted]' },
  });
  const write = (
    authInfo: MessageExtraInfo['authInfo'],
    tool: string,
    outcome: ToolCallOutcome,
    durationMs: number,
    requiredScope?: string,
  ) => {
    const principal = authInfo?.extra?.principal as Principal | undefined;
    const event: ToolCallAuditEvent = {
      event: 'tool_call',
      principal: principal?.id,
      role: principal?.role,
      tool,
      decision: outcome === 'denied' ? 'deny' : 'allow',
      outcome,
      durationMs,
      ...(requiredScope === undefined ? {} : { requiredScope }),
    };
    if (outcome === 'denied') audit.warn(event, 'tool call denied');
    else audit.info(event, 'tool call');
  };
  return {
    completed(completed: CompletedRequest): void {
      if (completed.method !== 'tools/call') return;
      write(
        completed.authInfo,
        String(completed.params?.name ?? ''),
        outcomeOf(completed.response),
        Math.round(completed.durationMs * 1000) / 1000,
      );
    },
    denied(tool: string, extra: MessageExtraInfo, requiredScope?: string): void {
      write(extra.authInfo, tool, 'denied', 0, requiredScope);
    },
  };
}
