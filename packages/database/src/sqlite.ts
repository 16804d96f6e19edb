/**
 * Kysely over the embedded SQLite file: Kysely's own SqliteDialect on our libsql connection (opened by
 * @mcp-auth/sqlite, so WAL, busy_timeout and the plain sentences about an unusable file are the same
 * as everywhere else), with one change. Kysely's SqliteDriver begins every transaction with a plain
 * BEGIN and offers no setting for it (kysely-org/kysely#1152); here transactions begin with BEGIN
 * IMMEDIATE, which takes the write lock before the body reads anything, for the reasons given in
 * packages/sqlite/src/write-transaction.ts (a deferred BEGIN meets SQLITE_BUSY_SNAPSHOT, whatever the
 * timeout, when another process wrote in between).
 *
 * Kysely's driver has one connection behind a mutex, so this process's transactions run one after the
 * other and a query outside them waits too; the body of a transaction may await.
 */
import { bestEffortWriter, createDatabaseProbe, DatabaseBusyError, isBusy, openDatabase, type SqliteDatabase } from '@mcp-auth/sqlite';
import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  type KyselyPlugin,
  type SqliteDatabase as KyselySqliteDatabase,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  SqliteDialect,
  SqliteDriver,
  type Transaction,
  type UnknownRow,
} from 'kysely';
import { describeDatabase, type SqliteSettings } from './settings.js';
import { type Database, withInternals } from './store.js';

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #connection: SqliteDatabase;

  constructor(connection: SqliteDatabase) {
    super({ database: connection as unknown as KyselySqliteDatabase });
    this.#connection = connection;
  }

  // BEGIN, COMMIT and ROLLBACK through exec, not Kysely's prepared statements: libsql does not reset a
  // statement whose step failed, so a BEGIN IMMEDIATE refused with SQLITE_BUSY would stay "in progress"
  // and the connection's next COMMIT would fail with "SQL statements in progress" (test/sqlite.test.ts).
  // Kysely's mutex is held for the whole transaction, so these run on the connection Kysely uses.
  override async beginTransaction(_connection: DatabaseConnection): Promise<void> {
    try {
      this.#connection.exec('BEGIN IMMEDIATE');
    } catch (error) {
      // Another process held the write lock for the whole busy timeout: nothing written, try again.
      throw isBusy(error) ? new DatabaseBusyError() : error;
    }
  }

  override async commitTransaction(_connection: DatabaseConnection): Promise<void> {
    this.#connection.exec('COMMIT');
  }

  override async rollbackTransaction(_connection: DatabaseConnection): Promise<void> {
    // SQLite has already rolled back by itself after SQLITE_FULL and some I/O errors; a ROLLBACK then
    // fails with "no transaction is active" and Kysely would report that instead of the cause.
    if (this.#connection.inTransaction) this.#connection.exec('ROLLBACK');
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #connection: SqliteDatabase;

  constructor(connection: SqliteDatabase) {
    super({ database: connection as unknown as KyselySqliteDatabase });
    this.#connection = connection;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#connection);
  }
}

/** libsql reads a BLOB as an ArrayBuffer; pg reads BYTEA as a Buffer. Both dialects answer Buffers. */
class BlobsAsBuffers implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    for (const row of args.result.rows)
      for (const [key, value] of Object.entries(row)) if (value instanceof ArrayBuffer) row[key] = Buffer.from(value);
    return args.result;
  }
}

export interface SqliteOptions {
  busyTimeoutMs?: number;
}

export function openSqliteStore<DB>(settings: SqliteSettings, options: SqliteOptions = {}): Database<DB> {
  // Throws DatabaseFileError with its sentence when the file or its folder cannot be used.
  const connection = openDatabase(settings.path, options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
  const probe = createDatabaseProbe(settings.path);
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect(connection), plugins: [new BlobsAsBuffers()] });
  const store: Database<DB> = {
    dialect: 'sqlite',
    db,
    location: describeDatabase(settings),
    ready: async () => probe(),
    close: () => db.destroy(),
  };
  return withInternals(store, {
    connection,
    // Inside the transaction, so on the connection Kysely holds: libsql's exec runs every statement.
    runScript: async (_trx: Transaction<unknown>, script: string) => {
      connection.exec(script);
    },
    bestEffort: (options) => {
      const run = bestEffortWriter(connection, options);
      // While one of this process's transactions is open on the connection, run() skips the write
      // (it would join that transaction): @mcp-auth/sqlite's bestEffortWriter checks, for every user.
      return (compiled) => {
        run(() => {
          connection.prepare(compiled.sql).run(...(compiled.parameters as unknown[]));
        });
      };
    },
  });
}
