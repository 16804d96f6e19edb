/**
 * The one way this project writes more than one statement: `writeTransaction(db, fn)`.
 *
 * It begins with BEGIN IMMEDIATE, which takes the write lock before `fn` reads anything, waiting up to
 * the connection's busy timeout for another process to finish. A deferred BEGIN (libsql's and
 * better-sqlite3's default `db.transaction(fn)()`) reads first and asks for the lock at the first
 * write; if another process committed in between, SQLite cannot upgrade the stale snapshot and answers
 * SQLITE_BUSY_SNAPSHOT at once, whatever the timeout (https://sqlite.org/wal.html#sometimes_queries_return_sqlite_busy_in_wal_mode).
 * Worse, libsql does not reset a prepared statement whose run() failed, and that statement keeps the
 * connection's read snapshot open after the ROLLBACK: every later write on the connection then fails
 * with SQLITE_BUSY_SNAPSHOT until the process restarts (test/write-transaction.test.ts pins both).
 * With the lock taken first there is no upgrade, so the body never meets SQLITE_BUSY.
 *
 * A lock not obtained in time becomes DatabaseBusyError, nothing written. Any failure rolls back if
 * SQLite has not already done so (it does by itself after SQLITE_FULL and some I/O errors), so the
 * original error is the one reported and the connection is never left inside a transaction.
 * `fn` must be synchronous: the transaction must not span an await, where another request would
 * run inside it.
 */

import type { SqliteDatabase } from './sqlite-database.js';
import { DatabaseBusyError, isBusy } from './storage-errors.js';

export function writeTransaction<T>(db: SqliteDatabase, fn: () => T): T {
  // A transaction of Kysely's on this connection (see @mcp-auth/database's embeddedConnection) is
  // open, its body awaiting: a BEGIN now would fail, and statements run without one would join it and
  // be undone by its rollback. Refused as a busy database: nothing written, try again.
  if (db.inTransaction) throw new DatabaseBusyError();
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    throw isBusy(error) ? new DatabaseBusyError() : error;
  }
  try {
    const result = fn();
    if (result instanceof Promise) throw new TypeError('writeTransaction: the body must be synchronous');
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw isBusy(error) ? new DatabaseBusyError() : error;
  }
}
