/**
 * Structured logs (pino) that cannot carry credentials: request URLs are logged without their query
 * string (a key pasted into `?api_key=` must not land in a log), headers are never serialised, and
 * any field named like a secret is censored wherever it appears.
 */
import type { IncomingMessage } from 'node:http';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'req.headers',
  'token',
  'access_token',
  'refresh_token',
  'client_secret',
  'password',
  'secret',
  'apiKey',
  'api_key',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.api_key',
];

/**
 * For log lines whose shape is fixed and flat (the audit event): the same names censored, at the top
 * level only. pino's `*.x` wildcards make it walk and copy every nested object of every line, which
 * cost about 20 kB of garbage per tool call; an audit event has no nested objects to walk.
 */
export const FLAT_LINE_REDACTION = REDACTED_PATHS.filter((path) => !path.startsWith('*.'));

function serializeRequest(req: IncomingMessage & { id?: string }) {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return {
    id: req.id,
    method: req.method,
    path: q === -1 ? url : url.slice(0, q),
    remoteAddress: req.socket?.remoteAddress,
  };
}

export interface LoggerSettings {
  level: string;
  /** Where to write; stdout when omitted. Tests pass a capturing stream. */
  destination?: DestinationStream;
  /** Pretty-printing is left to `pino-pretty` on the command line; these are JSON lines. */
  base?: Record<string, unknown>;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: settings.base ?? {},
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest as (req: unknown) => unknown, err: pino.stdSerializers.err },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Asynchronous writes to stdout: a synchronous write per audit line would cap throughput.
  // runServer flushes on shutdown, so nothing is lost on a clean exit.
  return pino(options, settings.destination ?? pino.destination({ dest: 1, sync: false }));
}
