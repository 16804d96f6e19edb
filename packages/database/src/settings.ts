/**
 * Where a server keeps its data, read once at startup: the embedded SQLite file (the default), or a
 * shared PostgreSQL when DATABASE_URL is set. Every problem is a DatabaseUrlError with one sentence
 * naming the setting and what to write instead; no sentence ever contains the URL's password, which
 * is why a URL that does not parse is not echoed at all.
 */
import { DatabaseUrlError } from './errors.js';

/** The embedded default: one SQLite file on this machine. */
export interface SqliteSettings {
  kind: 'sqlite';
  path: string;
}

/** A shared PostgreSQL. `url` holds the password: pass it to the driver, never to a log line. */
export interface PostgresSettings {
  kind: 'postgres';
  url: string;
  /** The schema this service's tables live in (DATABASE_SCHEMA, or one named after the service). */
  schema: string;
  /** For messages and /ready: host, port, database and user, never the password. */
  host: string;
  port: number;
  database: string;
  user: string;
  /** The service name, sent as PostgreSQL's application_name (pg_stat_activity shows who holds what). */
  service: string;
}

export type DatabaseSettings = SqliteSettings | PostgresSettings;

export interface DatabaseDefaults {
  /** The server's name, e.g. "hr-server": the default schema (hr_server) and application_name. */
  service: string;
  /** The SQLite file used when DATABASE_URL is not set. */
  sqlitePath: string;
}

/** PostgreSQL folds unquoted names to lower case and limits them to 63 bytes; we only ever use these. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** "hr-server" -> "hr_server": the schema a service gets when DATABASE_SCHEMA is not set. */
export function defaultSchema(service: string): string {
  const name = service
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^([0-9])/, '_$1')
    .slice(0, 63);
  if (!SCHEMA_NAME.test(name)) throw new TypeError(`defaultSchema: no schema name can be made from the service name "${service}"`);
  return name;
}

const EXAMPLE = 'postgres://user:password@host:5432/database';

/** `postgres://app@db.internal:5432/mcp`: what a message may show of the URL. */
/** Where the data is, for messages and log lines: the file, or user@host:port/database and the schema (never the password). */
export function describeDatabase(settings: DatabaseSettings): string {
  return settings.kind === 'sqlite' ? settings.path : `PostgreSQL ${describePostgres(settings)} schema ${settings.schema}`;
}

export function describePostgres(settings: Pick<PostgresSettings, 'host' | 'port' | 'database' | 'user'>): string {
  return `${settings.user ? `${settings.user}@` : ''}${settings.host}:${settings.port}/${settings.database}`;
}

function decoded(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new DatabaseUrlError(
      `DATABASE_URL has a ${what} with a "%" not followed by two hex digits: percent-encode the ${what} (in JavaScript, encodeURIComponent) and set DATABASE_URL again.`,
    );
  }
}

function parsePostgresUrl(value: string, env: Record<string, string | undefined>, defaults: DatabaseDefaults): PostgresSettings {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql')
    throw new DatabaseUrlError(
      scheme
        ? `DATABASE_URL must be a PostgreSQL URL (${EXAMPLE}), not a ${scheme}: URL; leave DATABASE_URL unset to keep the embedded SQLite database.`
        : `DATABASE_URL must be a PostgreSQL URL like ${EXAMPLE}; leave it unset to keep the embedded SQLite database.`,
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value is not repeated: it may hold a password.
    throw new DatabaseUrlError(
      `DATABASE_URL is not a valid URL (expected ${EXAMPLE}; its value is not shown because it may contain a password). ` +
        'If the user name or password contains any of @ : / ? # [ ] %, percent-encode it (in JavaScript, encodeURIComponent).',
    );
  }
  const user = decoded(url.username, 'user name') || url.searchParams.get('user') || '';
  decoded(url.password, 'password');
  const host = decoded(url.hostname.replace(/^\[(.+)\]$/, '$1'), 'host') || url.searchParams.get('host') || '';
  if (!host)
    throw new DatabaseUrlError(`DATABASE_URL names no host: write it as ${EXAMPLE} (or ?host=/path/to/socket-folder for a Unix socket).`);
  const port = url.port ? Number(url.port) : 5432;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new DatabaseUrlError(
      `DATABASE_URL has port ${url.port} on ${host}: a PostgreSQL port is a number from 1 to 65535 (usually 5432).`,
    );
  const path = url.pathname.replace(/^\//, '');
  if (path.includes('/'))
    throw new DatabaseUrlError(
      `DATABASE_URL's database part "${decoded(path, 'database name')}" has a "/": a URL names one database (${EXAMPLE}); a password containing "/" must be percent-encoded as %2F.`,
    );
  const database = decoded(path, 'database name') || user;
  if (!database) throw new DatabaseUrlError(`DATABASE_URL names no database and no user: write it as ${EXAMPLE}.`);

  const schemaSetting = env.DATABASE_SCHEMA?.trim();
  const schema = schemaSetting || defaultSchema(defaults.service);
  if (!SCHEMA_NAME.test(schema))
    throw new DatabaseUrlError(
      `DATABASE_SCHEMA "${schema}" is not a schema name this server uses: lower-case letters, digits and _ only, starting with a letter or _, at most 63 characters (for example ${defaultSchema(defaults.service)}).`,
    );
  return { kind: 'postgres', url: value, schema, host, port, database, user, service: defaults.service };
}

/**
 * DATABASE_URL unset (or empty): the SQLite file at `defaults.sqlitePath`. Set: PostgreSQL, in the
 * schema DATABASE_SCHEMA or one named after the service, so several services can share one database.
 */
export function databaseSettings(env: Record<string, string | undefined>, defaults: DatabaseDefaults): DatabaseSettings {
  const value = env.DATABASE_URL?.trim();
  if (!value) {
    if (env.DATABASE_SCHEMA?.trim())
      throw new DatabaseUrlError(
        'DATABASE_SCHEMA is set but DATABASE_URL is not: the schema only applies to PostgreSQL. Set DATABASE_URL too, or unset DATABASE_SCHEMA to keep the embedded SQLite database.',
      );
    return { kind: 'sqlite', path: defaults.sqlitePath };
  }
  return parsePostgresUrl(value, env, defaults);
}
