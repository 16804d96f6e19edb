/**
 * Failures that are nobody's fault and pass by themselves, answered 503 with Retry-After (RFC 9110
 * §15.6.4) by every error handler here: another process held the database's write lock past the busy
 * timeout. Nothing was written, so the same request can simply be sent again.
 */
import { DatabaseBusyError } from '@mcp-auth/auth';
import type { FastifyReply, FastifyRequest } from 'fastify';

export function isRetryableUnavailable(error: unknown): error is DatabaseBusyError {
  return error instanceof DatabaseBusyError;
}

export function sendUnavailable(request: FastifyRequest, reply: FastifyReply, error: DatabaseBusyError) {
  request.log.warn({ err: error }, 'database busy: request refused, nothing written');
  return reply
    .code(503)
    .header('retry-after', '1')
    .type('application/json')
    .send({ error: 'temporarily_unavailable', error_description: error.message });
}
