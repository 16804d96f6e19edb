/**
 * Kysely over a shared PostgreSQL through pg's pool, set up so that an outage is a typed, prompt
 * failure and never a crash or a hang:
 *
 * - every client gets an 'error' listener when it connects. pg-pool listens on idle clients only;
 *   a client that is checked out (a transaction between two statements) when the server restarts
 *   emits 'error' with no listener, which ends the process. The pool's own 'error' event (idle
 *   clients) is listened to for the same reason.
 * - connectionTimeoutMillis bounds connecting (and waiting for a free pooled client); statement_timeout
 *   lets a live server cancel a slow statement itself; query_timeout, a little longer, is the client's
 *   bound for a server that cannot answer at all (hung, SIGSTOP), which no server-side setting covers.
 * - a client whose query failed for a connection reason is destroyed, not returned to the pool: after
 *   a read timeout pg leaves the unanswered query active on it, and the next user would wait behind it.
 * - int8 (counts, BIGINT millisecond timestamps) is read as a number, not pg's default string: every
 *   value stored here is below 2^53. Per pool, not pg's global type table.
 * - search_path is the service's schema, set at connection startup (`options: -c search_path=...`), so
 *   queries name tables without a schema on both dialects.
 *
 * Errors from pg are turned into DatabaseUnavailableError in one place, the pool adapter below, which
 * every Kysely query and transaction goes through.
 */

import { createRequire } from 'node:module';
import type { Kysely as KyselyType, PostgresPool, PostgresPoolClient, PostgresQueryResult, Transaction } from 'kysely';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { classifyPostgresError, DatabaseUnavailableError, type FailureContext } from './errors.js';
import { describeDatabase, describePostgres, type PostgresSettings } from './settings.js';
import { type Database, withInternals } from './store.js';

/** The part of a pino logger used here. */
export interface DatabaseLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface PostgresOptions {
  /** Connecting, or waiting for a free pooled connection (default 2000 ms). */
  connectTimeoutMs?: number;
  /** The server cancels a statement running longer (default 5000 ms); the client gives up 1 s later. */
  statementTimeoutMs?: number;
  /** The server ends a session left inside a transaction this long, releasing its locks (default 10 s). */
  idleInTransactionTimeoutMs?: number;
  /** Connections per process (default 10): replicas x poolSize must stay under the server's max_connections. */
  poolSize?: number;
  log?: DatabaseLog;
}

/**
 * pg, loaded when a PostgreSQL store is first opened: a server on its embedded SQLite file (the
 * default) never loads the driver, which would cost every process a few MB of memory for nothing.
 * (pg is CommonJS, so a synchronous require keeps openStore synchronous.)
 */
let pgModule: typeof pg | undefined;
const loadPg = (): typeof pg => {
  pgModule ??= createRequire(import.meta.url)('pg') as typeof pg;
  return pgModule;
};

const INT8_OID = 20;
const int8AsNumber = (driver: typeof pg): pg.CustomTypesConfig => ({
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? Number : driver.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
});

const warningLog: DatabaseLog = {
  warn: (fields, message) => process.emitWarning(`${message} ${JSON.stringify(fields)}`),
};

/** The pool as Kysely sees it: connect() and every query map their errors, failed connections are dropped. */
function mappingPool(pool: pg.Pool, fail: (error: unknown) => unknown): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw fail(error);
      }
      let broken = false;
      const adapted = {
        async query<R>(text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
          try {
            return (await client.query(text, parameters as unknown[])) as unknown as PostgresQueryResult<R>;
          } catch (error) {
            const mapped = fail(error);
            if (mapped instanceof DatabaseUnavailableError) broken = true;
            throw mapped;
          }
        },
        release(destroy?: boolean) {
          client.release(destroy || broken);
        },
      };
      return adapted as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

export function openPostgresStore<DB>(settings: PostgresSettings, options: PostgresOptions = {}): Database<DB> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 5000;
  const log = options.log ?? warningLog;
  const target = describePostgres(settings);
  const context: FailureContext = {
    target,
    user: settings.user,
    database: settings.database,
    connectTimeoutMs,
    statementTimeoutMs,
  };
  const fail = (error: unknown) => classifyPostgresError(error, context);

  const driver = loadPg();
  const pool = new driver.Pool({
    connectionString: settings.url,
    // A URL's own ?options= would replace this (pg lets the URL win); DATABASE_SCHEMA is the setting for it.
    options: `-c search_path=${settings.schema}`,
    application_name: settings.service,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 10_000,
    keepAlive: true,
    max: options.poolSize ?? 10,
    types: int8AsNumber(driver),
  });
  let closing = false;
  const lost = new WeakSet<object>();
  const reportLost = (client: object, error: Error) => {
    // One line per connection (pg may report a server's shutdown message and then the closed socket).
    if (closing || lost.has(client)) return;
    lost.add(client);
    const mapped = fail(error);
    const reason = mapped instanceof DatabaseUnavailableError ? mapped.message : `${target}: ${error.message}`;
    log.warn({ database: target, code: (mapped as { code?: unknown }).code }, `a pooled PostgreSQL connection was lost: ${reason}`);
  };
  // The error itself is never logged whole: pg-pool sets error.client, whose parameters hold the password.
  pool.on('error', (error, client) => reportLost(client, error));
  pool.on('connect', (client) => {
    client.on('error', (error) => reportLost(client, error));
  });

  const db: KyselyType<DB> = new Kysely<DB>({ dialect: new PostgresDialect({ pool: mappingPool(pool, fail) }) });
  const store: Database<DB> = {
    dialect: 'postgres',
    db,
    location: describeDatabase(settings),
    async ready() {
      try {
        // Reaches the server and proves the schema is there and migrated.
        await pool.query('SELECT 1 FROM schema_migrations LIMIT 1');
        return { ok: true };
      } catch (error) {
        const mapped = fail(error);
        return { ok: false, reason: mapped instanceof Error ? mapped.message : String(mapped) };
      }
    },
    async close() {
      closing = true;
      await db.destroy();
    },
  };
  return withInternals(store, {
    // With no parameters pg uses the simple query protocol, which runs several statements.
    runScript: async (trx: Transaction<unknown>, script: string) => {
      await sql.raw(script).execute(trx);
    },
    schema: settings.schema,
  });
}
