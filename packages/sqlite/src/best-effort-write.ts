/**
 * Writes a request may cause but must never fail for, such as "last used at" stamps: a failed one
 * (disk full, a file turned read-only, another process holding the lock) is logged and the request
 * goes on. One failure is logged at once; while they keep failing, one line a minute says how many
 * more did, and the first success after failures says so, so a full disk is one line a minute, not
 * one per request.
 */
import type { SqliteDatabase } from './sqlite-database.js';
import { sqliteCode } from './storage-errors.js';
import { writeTransaction } from './write-transaction.js';

/** The part of a pino logger used here. */
export interface BestEffortLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export interface BestEffortOptions {
  /** What is written, for the log line (e.g. "api key last_used_at"). */
  what: string;
  /** Where failures are reported; a process warning on stderr when not given. */
  log?: BestEffortLog;
  /** Shortest time between two failure lines (default one minute). */
  quietMs?: number;
  now?: () => number;
}

const warningLog: BestEffortLog = {
  warn: (fields, message) => process.emitWarning(`${message} ${JSON.stringify(fields)}`),
  info: () => {},
};

/**
 * The logging rule of best-effort writes, for any store: `failed` logs the first failure at once and
 * then at most one line per `quietMs` saying how many more there were; `succeeded` after failures
 * says the writes work again.
 */
export function bestEffortReporter(options: BestEffortOptions): {
  succeeded(): void;
  failed(code: string | undefined, reason: string): void;
} {
  const { what, log = warningLog, quietMs = 60_000, now = Date.now } = options;
  let unreported = 0;
  let failing = false;
  let lastReport = Number.NEGATIVE_INFINITY;
  return {
    succeeded() {
      if (!failing) return;
      failing = false;
      log.info({ what, failuresNotLogged: unreported }, `best-effort write works again: ${what}`);
      unreported = 0;
      lastReport = Number.NEGATIVE_INFINITY;
    },
    failed(code, reason) {
      failing = true;
      const at = now();
      if (at - lastReport < quietMs) {
        unreported++;
        return;
      }
      log.warn({ what, code, reason, failuresNotLogged: unreported }, `best-effort write failed, request served without it: ${what}`);
      lastReport = at;
      unreported = 0;
    },
  };
}

/**
 * Returns `run(write)`, which runs a synchronous write in a write transaction and never throws. It
 * does not wait for another process's lock (a request would stall for the whole busy timeout); the
 * write is skipped instead.
 */
export function bestEffortWriter(db: SqliteDatabase, options: BestEffortOptions): (write: () => void) => void {
  // (libsql's pragma(..., { simple: true }) returns the whole row, hence the plain statement)
  const busyTimeout = (db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout;
  // Not prepared once: SQLite applies PRAGMA busy_timeout while preparing the statement, not when it runs.
  const noWait = () => db.exec('PRAGMA busy_timeout = 0');
  const restoreWait = () => db.exec(`PRAGMA busy_timeout = ${busyTimeout}`);
  const report = bestEffortReporter(options);

  return (write) => {
    // An async transaction is open on the connection (see writeTransaction): skipped, like a write
    // that meets another process's lock, and not worth a warning.
    if (db.inTransaction) return;
    try {
      noWait();
      try {
        // In a write transaction like every other write: a statement that fails with SQLITE_BUSY in
        // autocommit is left un-reset by libsql and the connection's next BEGIN IMMEDIATE fails too
        // (test/best-effort-write.test.ts); here only the BEGIN can meet the lock.
        writeTransaction(db, write);
      } finally {
        restoreWait();
      }
      report.succeeded();
    } catch (error) {
      report.failed(sqliteCode(error), (error as Error).message);
    }
  };
}
