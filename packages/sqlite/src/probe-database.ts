/**
 * A cheap check that a connection can still read its database, for readiness endpoints: reads the
 * schema (page 1 and sqlite_schema), which a damaged or replaced file fails. Never throws.
 */
import type { SqliteDatabase } from './sqlite-database.js';
import { sqliteCode } from './storage-errors.js';

export type DatabaseProbe = { ok: true } | { ok: false; code: string | undefined; reason: string };

export function probeDatabase(db: SqliteDatabase): DatabaseProbe {
  try {
    db.prepare('SELECT count(*) AS n FROM schema_migrations').get();
    return { ok: true };
  } catch (error) {
    return { ok: false, code: sqliteCode(error), reason: (error as Error).message };
  }
}
