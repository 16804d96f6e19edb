/**
 * Graceful shutdown within a deadline (SHUTDOWN_DRAIN_SECONDS). Closing the app stops accepting
 * requests (Fastify answers 503 while closing) and waits for the calls in flight; a call still running
 * at the deadline is answered with a JSON-RPC error on its open response and cancelled, rather than
 * having its connection reset, and the process then exits 0 because every client got an answer.
 */
import type { FastifyInstance } from 'fastify';
import { JSONRPC_SERVER_ERROR } from '../routing/jsonrpc.js';

export const SHUTTING_DOWN = 'server shutting down';

/** After the deadline's answers, how long their bytes get to leave before connections are closed. */
const FLUSH_MS = 1000;

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by createMcpApp: answers every call still running with a JSON-RPC error; returns how many. */
    answerCallsInFlight?: (code: number, message: string) => number;
  }
}

/** Closes `app`, answering at `drainMs` whatever is still running. Resolves once it is closed. */
export async function closeWithinDrain(app: FastifyInstance, drainMs: number): Promise<void> {
  let flush: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    const answered = app.answerCallsInFlight?.(JSONRPC_SERVER_ERROR, SHUTTING_DOWN) ?? 0;
    if (answered > 0) {
      app.log.warn(
        { answered, drainSeconds: drainMs / 1000 },
        `drain deadline reached: calls still running were answered "${SHUTTING_DOWN}"`,
      );
    }
    // Anything else still holding a connection (a request body that never finishes) is closed.
    flush = setTimeout(() => app.server.closeAllConnections(), FLUSH_MS);
  }, drainMs);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
    clearTimeout(flush);
  }
}
