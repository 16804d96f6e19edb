/**
 * The handle a server's stores share: one Kysely over the embedded SQLite file or the shared
 * PostgreSQL, whichever the settings name. Open one per database per process: on SQLite, two handles
 * on one file in one process would wait on each other's write lock with the event loop blocked.
 */
import type { BestEffortOptions, SqliteDatabase } from '@mcp-auth/sqlite';
import type { CompiledQuery, Kysely, Transaction } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

export type ReadyResult = { ok: true } | { ok: false; reason: string };

export interface Database<DB> {
  readonly dialect: Dialect;
  /** The query layer: reads directly, writes through writeTransaction. */
  readonly db: Kysely<DB>;
  /** Where the data is, for log lines: describeDatabase() of its settings (never the password). */
  readonly location: string;
  /** A cheap check for /ready; never throws. */
  ready(): Promise<ReadyResult>;
  /** Closes the file or ends the pool (waits for queries under way). */
  close(): Promise<void>;
}

/** What migrate needs beyond Kysely: running a script of several statements, and the PostgreSQL schema. */
export interface StoreInternals {
  runScript(trx: Transaction<unknown>, script: string): Promise<void>;
  schema?: string;
  /** SQLite: the libsql connection Kysely runs on (embeddedConnection). */
  connection?: SqliteDatabase;
  /** SQLite: runs a compiled statement at once as a best-effort write (see best-effort-write.ts). */
  bestEffort?: (options: BestEffortOptions) => (compiled: CompiledQuery) => void;
}

const internals = new WeakMap<object, StoreInternals>();

export function withInternals<T extends object>(store: T, inside: StoreInternals): T {
  internals.set(store, inside);
  return store;
}

export function internalsOf(store: object): StoreInternals {
  const inside = internals.get(store);
  if (!inside) throw new TypeError('not a Database from openStore()');
  return inside;
}

/**
 * The libsql connection behind an embedded Database, for code that must query SQLite directly (and
 * tests that change the connection's settings): it shares the one connection, as every user of a file
 * in one process must. Writes there go through @mcp-auth/sqlite's writeTransaction, which refuses to
 * begin while one of Kysely's transactions is open on the connection (DatabaseBusyError), so that no
 * write ever joins another's transaction.
 */
export function embeddedConnection<DB>(store: Database<DB>): SqliteDatabase {
  const connection = internalsOf(store).connection;
  if (!connection) throw new TypeError(`embeddedConnection: ${store.location} is not an embedded SQLite database`);
  return connection;
}
