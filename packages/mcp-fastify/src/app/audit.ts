/**
 * One audit event per tool call: when, who, which server and tool, the access decision, the outcome
 * and how long it took. Argument values are never recorded: they may hold personal data.
 */
import type { Principal } from '@mcp-auth/auth';
import type { MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyBaseLogger } from 'fastify';
import type { CompletedRequest } from '../routing/message-router.js';

export type ToolCallOutcome = 'ok' | 'tool_error' | 'error' | 'cancelled' | 'denied';

export interface ToolCallAuditEvent {
  event: 'tool_call';
  server: string;
  principal: string | undefined;
  role: string | undefined;
  tool: string;
  decision: 'allow' | 'deny';
  outcome: ToolCallOutcome;
  durationMs: number;
}

export function outcomeOf(response: CompletedRequest['response']): ToolCallOutcome {
  if (!response) return 'cancelled';
  if ('error' in response) return 'error';
  const result = (response as { result?: { isError?: boolean } }).result;
  return result?.isError ? 'tool_error' : 'ok';
}

export function createAuditor(log: FastifyBaseLogger, server: string) {
  const audit = log.child({ audit: true });
  return (completed: CompletedRequest): void => {
    if (completed.method !== 'tools/call') return;
    const principal = completed.authInfo?.extra?.principal as Principal | undefined;
    const event: ToolCallAuditEvent = {
      event: 'tool_call',
      server,
      principal: principal?.id,
      role: principal?.role,
      tool: String(completed.params?.name ?? ''),
      decision: 'allow',
      outcome: outcomeOf(completed.response),
      durationMs: Math.round(completed.durationMs * 1000) / 1000,
    };
    audit.info(event, 'tool call');
  };
}

/** The audit event for a call refused by policy before it reached the tool. */
export function createDenialAuditor(log: FastifyBaseLogger, server: string) {
  const audit = log.child({ audit: true });
  return (tool: string, extra: MessageExtraInfo): void => {
    const principal = extra.authInfo?.extra?.principal as Principal | undefined;
    const event: ToolCallAuditEvent = {
      event: 'tool_call',
      server,
      principal: principal?.id,
      role: principal?.role,
      tool,
      decision: 'deny',
      outcome: 'denied',
      durationMs: 0,
    };
    audit.warn(event, 'tool call denied');
  };
}
