/**
 * The one way to write: `await writeTransaction(store, async (trx) => ...)`, on either dialect.
 *
 * SQLite: BEGIN IMMEDIATE (the driver in sqlite.ts), so the body holds the file's write lock from its
 * first read; every writer of the file, in any process, runs one at a time. A lock not had within the
 * busy timeout is DatabaseBusyError, nothing written.
 *
 * PostgreSQL: a READ COMMITTED transaction, PostgreSQL's default. Writers do not exclude each other
 * there, so a rule that needs "no one else in between" (the next id of a table, a count checked before
 * an insert) takes `exclusive(trx, key)` or relies on a unique constraint; with those, no stricter
 * isolation is needed and nothing is retried. A server that cannot be reached is
 * DatabaseUnavailableError, nothing committed.
 *
 * Any error rolls back and is rethrown as it was. The body must not have effects outside the
 * database that a rollback would leave behind (send nothing, answer nothing, until it returns).
 */
import { sql, type Transaction } from 'kysely';
import type { Database, Dialect } from './store.js';

const open = new WeakMap<object, Dialect>();

export async function writeTransaction<DB, T>(store: Database<DB>, body: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return store.db.transaction().execute(async (trx) => {
    open.set(trx, store.dialect);
    try {
      return await body(trx);
    } finally {
      open.delete(trx);
    }
  });
}

/** The dialect of a transaction from writeTransaction; a TypeError for anything else. */
export function dialectOf(trx: object, caller: string): Dialect {
  const dialect = open.get(trx);
  if (!dialect) throw new TypeError(`${caller} must be called with the transaction writeTransaction passes to its body`);
  return dialect;
}

/**
 * Until this transaction ends, no other transaction that takes the same key runs past this call (it
 * waits here). PostgreSQL: a transaction-level advisory lock on the key's hash, released by COMMIT or
 * ROLLBACK, never left behind by a crashed replica. SQLite: nothing to do, BEGIN IMMEDIATE already
 * holds the whole file's write lock. Take it before reading what the rule depends on: READ COMMITTED
 * reads each statement's own snapshot, so what is read after the lock includes the last holder's commit.
 */
export async function exclusive<DB>(trx: Transaction<DB>, key: string): Promise<void> {
  if (dialectOf(trx, 'exclusive') === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
}
