/**
 * Listens, with a plain-words error for the usual failures (port in use, address unavailable), and
 * shuts down gracefully on SIGINT/SIGTERM: stop accepting, end SSE streams, drain in-flight calls
 * for up to SHUTDOWN_DRAIN_SECONDS, answer what is still running (shutdown.ts), exit 0.
 */
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { closeWithinDrain } from './shutdown.js';

/** Past the drain deadline and its answers, how long closing may still take before exit 1. */
const HARD_STOP_MARGIN_MS = 5000;

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

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Listens and installs signal handlers; resolves with the URL the server listens on. */
export async function runServer(
  app: FastifyInstance,
  options: { host: string; port: number; shutdownDrainMs?: number; production?: boolean; trustProxy?: readonly string[]; tls?: unknown },
): Promise<string> {
  const url = await listen(app, options.host, options.port);
  if (options.production && !options.tls && !options.trustProxy?.length && !LOOPBACK.has(options.host)) {
    app.log.warn(
      { host: options.host },
      'serving plain HTTP on a network address in production: credentials cross the network in clear text. Set TLS_CERT_FILE and TLS_KEY_FILE, or name the TLS proxy in front in TRUST_PROXY (its address, e.g. TRUST_PROXY=10.0.0.5)',
    );
  }
  const drainMs = options.shutdownDrainMs ?? 10_000;
  const flushLog = () => (app.log as unknown as { flush?: () => void }).flush?.();
  closeWithGrace(
    {
      delay: drainMs + HARD_STOP_MARGIN_MS,
      onTimeout: () => {
        app.log.error({ drainSeconds: drainMs / 1000 }, 'shutdown did not finish after the drain deadline; exiting 1');
        flushLog();
      },
    },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'shutting down after an uncaught error');
      else app.log.info({ signal, drainSeconds: drainMs / 1000 }, 'shutting down');
      await closeWithinDrain(app, drainMs);
      flushLog();
    },
  );
  return url;
}
