/**
 * The database failures callers act on, as types. DatabaseUrlError: DATABASE_URL or DATABASE_SCHEMA
 * cannot be used (a startup problem: the apps print the sentence and exit 1). DatabaseUnavailableError:
 * PostgreSQL cannot answer now (not running, restarting, unreachable, hung, out of connection slots,
 * or refusing this login): nothing was written, and the HTTP layer answers 503 with Retry-After. Every
 * other error stays what it is (a constraint violated, a bug), logged with its stack.
 *
 * No message here ever contains the password: sentences are built from host, port, database and user
 * only, and the driver's error is not kept as `cause` (pg-pool attaches the client, whose connection
 * parameters hold the password, to the errors it emits).
 */
export { DatabaseBusyError, DatabaseFileError } from '@mcp-auth/sqlite';

/** DATABASE_URL or DATABASE_SCHEMA is malformed. The message says which setting and what to write. */
export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
}

/** What a DatabaseUnavailableError says about the failure, for logs and metrics. */
export type UnavailableKind =
  | 'refused' // nothing listens there
  | 'unresolved' // the host name does not resolve
  | 'timeout' // no answer in time: unreachable, overloaded or hung
  | 'lost' // the connection was closed: a restart, a crash, a proxy
  | 'starting' // the server is starting or shutting down
  | 'full' // no free connection slot
  | 'login' // the user, password or database is refused
  | 'tls'; // the TLS handshake failed

export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(
    message: string,
    /** The failure's class. */
    readonly kind: UnavailableKind,
    /** The driver's code: an errno (ECONNREFUSED), a SQLSTATE (57P01), or the pg message for its own timeouts. */
    readonly code: string,
    /** host:port/database, never the password. */
    readonly target: string,
  ) {
    super(message);
  }
}

export const isDatabaseUnavailable = (error: unknown): error is DatabaseUnavailableError => error instanceof DatabaseUnavailableError;

export interface FailureContext {
  /** user@host:port/database, from describePostgres. */
  target: string;
  user: string;
  database: string;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

const NETWORK: Record<string, UnavailableKind> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'unresolved',
  EAI_AGAIN: 'unresolved',
  ETIMEDOUT: 'timeout',
  EHOSTUNREACH: 'timeout',
  ENETUNREACH: 'timeout',
  EHOSTDOWN: 'timeout',
  ECONNRESET: 'lost',
  EPIPE: 'lost',
  ECONNABORTED: 'lost',
};

/** pg's own errors carry no code, only these messages. */
const DRIVER_MESSAGES: Array<[RegExp, UnavailableKind]> = [
  [/^Connection terminated due to connection timeout/, 'timeout'],
  [/^timeout exceeded when trying to connect/, 'timeout'], // pg-pool: no client within connectionTimeoutMillis
  [/^Query read timeout/, 'timeout'], // pg's query_timeout: the server did not answer
  [/^Connection terminated/, 'lost'],
  [/^Client has encountered a connection error and is not queryable/, 'lost'],
  [/^Postgres connection has been discarded/, 'lost'], // Kysely, after a failed ROLLBACK
  [/^The server does not support SSL connections/, 'tls'],
];

function sqlstateKind(code: string): UnavailableKind | undefined {
  if (code.startsWith('08')) return 'lost'; // connection exception
  if (code.startsWith('28') || code === '3D000') return 'login'; // invalid authorization, no such database
  switch (code) {
    case '57P01': // admin_shutdown: a fast or smart shutdown, a restart
    case '57P02': // crash_shutdown: another backend crashed, the server is resetting
      return 'lost';
    case '57P03': // cannot_connect_now: starting up, in recovery, shutting down
      return 'starting';
    case '53300': // too_many_connections
      return 'full';
    case '57014': // query_canceled: our statement_timeout, or an operator's pg_cancel_backend
      return 'timeout';
    default:
      return undefined;
  }
}

function sentence(kind: UnavailableKind, code: string, context: FailureContext): string {
  const at = `PostgreSQL at ${context.target} (DATABASE_URL)`;
  switch (kind) {
    case 'refused':
      return `${at} refused the connection (${code}): check that PostgreSQL is running on that host and port and accepts TCP connections (listen_addresses, port, firewall).`;
    case 'unresolved':
      return `${at} cannot be found (${code}: the host name does not resolve): check the host in DATABASE_URL and this machine's DNS.`;
    case 'timeout':
      return code === '57014' || code === 'Query read timeout'
        ? `${at} did not finish a statement within ${context.statementTimeoutMs} ms: the server is overloaded, hung, or waiting for a lock another connection holds; check its load and pg_stat_activity.`
        : `${at} did not answer within ${context.connectTimeoutMs} ms (${code}): check that the host is reachable from here (network, firewall) and that the server is not hung or overloaded.`;
    case 'lost':
      return `${at} closed the connection (${code}): it is restarting, was stopped, or a proxy cut the connection; requests fail until it answers again (check its log if this lasts).`;
    case 'starting':
      return `${at} does not accept connections yet (${code}: starting up, recovering or shutting down); requests fail until it is ready.`;
    case 'full':
      return `${at} has no free connection slot (${code}): raise max_connections on the server, or lower the number of replicas or their pool size.`;
    case 'login':
      return code === '3D000'
        ? `${at} has no database "${context.database}" (${code}): create it (createdb ${context.database}) or fix the database name in DATABASE_URL.`
        : `${at} refused the login of user "${context.user}" (${code}): check the user name and password in DATABASE_URL and the server's pg_hba.conf.`;
    case 'tls':
      return `${at} failed the TLS handshake (${code}): check sslmode in DATABASE_URL against the server's ssl setting.`;
  }
}

/**
 * The DatabaseUnavailableError an error from pg or pg-pool stands for, or the error itself when it is
 * not about reaching the server (a constraint, a syntax error: the caller's or the code's problem).
 */
export function classifyPostgresError(error: unknown, context: FailureContext): unknown {
  if (error instanceof DatabaseUnavailableError || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  let kind: UnavailableKind | undefined;
  let shown: string | undefined;
  if (typeof code === 'string') {
    kind = NETWORK[code] ?? (/^[0-9A-Z]{5}$/.test(code) ? sqlstateKind(code) : undefined);
    shown = code;
  }
  if (!kind) {
    for (const [pattern, k] of DRIVER_MESSAGES)
      if (pattern.test(error.message)) {
        kind = k;
        shown = error.message.replace(/\.$/, '');
        break;
      }
  }
  if (!kind && /(SSL|TLS|certificate)/i.test(error.message) && !code) {
    kind = 'tls';
    shown = error.message;
  }
  if (!kind || !shown) return error;
  return new DatabaseUnavailableError(sentence(kind, shown, context), kind, shown, context.target);
}
