/**
 * Writes other processes must learn of, for stores whose readers keep records in memory (API keys,
 * OAuth clients): every such write runs in a write transaction that also raises one version row, and
 * readers look at that row at most every RECORD_RECHECK_MS (packages/auth/src/record-cache.ts). Unlike
 * SQLite's data_version it means the same on PostgreSQL, and writes that change nothing a reader keeps
 * (last-use stamps) do not raise it.
 */
import { sql, type Transaction } from 'kysely';
import type { MigrationStep } from './migrate.js';
import type { Database } from './store.js';
import { writeTransaction } from './write-transaction.js';

/** The migration step that makes `table`: one row, id 1, whose version starts at 0. */
export function versionRowStep(table: string): MigrationStep {
  return {
    sqlite: `CREATE TABLE ${table} (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT;
             INSERT INTO ${table} (id, version) VALUES (1, 0)`,
    postgres: `CREATE TABLE ${table} (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
               INSERT INTO ${table} (id, version) VALUES (1, 0)`,
  };
}

export interface AnnouncedWrites<DB> {
  /** Announced writes made through this object; cheap to read on every request. */
  readonly localWrites: number;
  /**
   * `body` and the version's raise in one write transaction. Counted when it begins and again when it
   * has ended: a record read while it runs may be the old one, and the second count drops it.
   */
  write<T>(body: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /** The version row as it is now: a read, so readers ask it rarely. */
  version(): Promise<number>;
}

export function announcedWrites<DB>(database: Database<DB>, table: string): AnnouncedWrites<DB> {
  let localWrites = 0;
  return {
    get localWrites() {
      return localWrites;
    },
    async write(body) {
      localWrites++;
      try {
        return await writeTransaction(database, async (trx) => {
          const result = await body(trx);
          await sql`UPDATE ${sql.table(table)} SET version = version + 1 WHERE id = 1`.execute(trx);
          return result;
        });
      } finally {
        localWrites++;
      }
    },
    async version() {
      const { rows } = await sql<{ version: number }>`SELECT version FROM ${sql.table(table)} WHERE id = 1`.execute(database.db);
      const row = rows[0];
      if (!row) throw new Error(`${table} has no version row: was the store's migration run?`);
      return Number(row.version);
    },
  };
}
