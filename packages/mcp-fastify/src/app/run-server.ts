/**
 * Listens, with a plain-words error for the usual failures (port in use, address unavailable), and
 * shuts down gracefully on SIGINT/SIGTERM: stop accepting, end SSE streams, drain in-flight calls.
 */
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';

export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    return await app.listen({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new ListenError(`Port ${port} on ${host} is already in use. Stop the other server or set PORT to a free port.`);
    }
    if (code === 'EADDRNOTAVAIL') throw new ListenError(`Cannot listen on ${host}: no such address on this machine. Check HOST.`);
    if (code === 'EACCES') throw new ListenError(`Not allowed to listen on port ${port}. Use a port above 1023.`);
    throw error;
  }
}

/** Listens and installs signal handlers; resolves with the URL the server listens on. */
export async function runServer(app: FastifyInstance, options: { host: string; port: number; drainTimeoutMs?: number }): Promise<string> {
  const url = await listen(app, options.host, options.port);
  closeWithGrace({ delay: options.drainTimeoutMs ?? 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an uncaught error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
    (app.log as unknown as { flush?: () => void }).flush?.();
  });
  return url;
}
