/**
 * Failures that are nobody's fault and pass by themselves, answered 503 with Retry-After (RFC 9110
 * §15.6.4) by every error handler here. Nothing was written, so the same request can simply be sent
 * again:
 * - DatabaseBusyError: another process held the SQLite file's write lock past the busy timeout;
 * - DatabaseUnavailableError: the shared PostgreSQL cannot answer now (down, restarting, hung, full).
 *   Requests fail at once with this answer while it lasts, and succeed again when it is back, with no
 *   restart: nothing was cached in its place (a credential is never trusted without its store).
 * Repeats are counted by the refusal log, so an outage is a line per minute, not one per request.
 */
import { DatabaseBusyError, DatabaseUnavailableError } from '@mcp-auth/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type RetryableUnavailable = DatabaseBusyError | DatabaseUnavailableError;

export function isRetryableUnavailable(error: unknown): error is RetryableUnavailable {
  return error instanceof DatabaseBusyError || error instanceof DatabaseUnavailableError;
}

export function sendUnavailable(request: FastifyRequest, reply: FastifyReply, error: RetryableUnavailable) {
  const outage = error instanceof DatabaseUnavailableError;
  request.server.refusals.refused(request.log, {
    kind: outage ? `database unavailable: ${error.message}` : 'database busy',
    address: request.ip,
    level: 'warn',
    message: outage ? 'database unavailable: request refused, nothing written' : 'database busy: request refused, nothing written',
    fields: outage ? { database: error.target, code: error.code, reason: error.message } : { reason: error.message },
  });
  return reply
    .code(503)
    .header('retry-after', outage ? '5' : '1')
    .type('application/json')
    .send({ error: 'temporarily_unavailable', error_description: error.message });
}
