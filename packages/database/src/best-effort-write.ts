/**
 * Writes a request may cause but must never fail or wait for, such as "last used at" stamps, on
 * either dialect: `bestEffortWriter(store, { what, log })` returns `run(db => query)`, which never
 * throws and returns at once. Failures are logged by @mcp-auth/sqlite's rule (the first at once, then
 * one line a minute counting the rest).
 *
 * SQLite: the statement runs at once on the connection, in a write transaction that does not wait for
 * another process's lock (the event loop would stall for the whole busy timeout; the write is skipped
 * instead). It is also skipped while one of this process's transactions is open on the connection
 * (its body awaiting): a statement run then would become part of that transaction.
 * PostgreSQL: the statement runs in its own transaction in the background; nothing waits for it.
 */
import { type BestEffortLog, type BestEffortOptions, bestEffortReporter } from '@mcp-auth/sqlite';
import type { CompiledQuery, Kysely } from 'kysely';
import { isDatabaseUnavailable } from './errors.js';
import { type Database, internalsOf } from './store.js';
import { writeTransaction } from './write-transaction.js';

export type { BestEffortLog, BestEffortOptions };

/** One statement, built on the handle it is given (a query builder, not yet executed). */
export type BestEffortWrite<DB> = (db: Kysely<DB>) => { compile(): CompiledQuery; execute(): Promise<unknown> };

export function bestEffortWriter<DB>(store: Database<DB>, options: BestEffortOptions): (write: BestEffortWrite<DB>) => void {
  const runNow = internalsOf(store).bestEffort?.(options);
  if (runNow) return (write) => runNow(write(store.db).compile());
  const report = bestEffortReporter(options);
  return (write) => {
    writeTransaction(store, (trx) => write(trx).execute()).then(
      () => report.succeeded(),
      (error: unknown) =>
        report.failed(isDatabaseUnavailable(error) ? error.code : (error as { code?: string }).code, (error as Error).message),
    );
  };
}
