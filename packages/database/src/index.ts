/**
 * One query layer (Kysely) over the embedded SQLite file or a shared PostgreSQL (DATABASE_URL):
 * settings read at startup, a handle with a readiness probe, per-component migrations that run once
 * however many replicas start together, the one way to write, id allocation safe under concurrency,
 * and the failures callers act on as types.
 */

/** Millisecond timestamps (INTEGER, BIGINT) to Dates and back, as every store keeps times. */
export { toDate, toMs } from '@mcp-auth/sqlite';
export { type AnnouncedWrites, announcedWrites, versionRowStep } from './announced-writes.js';
export { type BestEffortLog, type BestEffortOptions, type BestEffortWrite, bestEffortWriter } from './best-effort-write.js';
export {
  DatabaseBusyError,
  DatabaseFileError,
  DatabaseUnavailableError,
  DatabaseUrlError,
  isDatabaseUnavailable,
  type UnavailableKind,
} from './errors.js';
export { type MigrationStep, migrate } from './migrate.js';
export { nextId } from './next-id.js';
export { type OpenStoreOptions, openStore } from './open-store.js';
export { numberedPlaceholders, type PlainSql, plainSql, type SqlParam, type SqlRow } from './plain-sql.js';
export type { DatabaseLog } from './postgres.js';
export {
  type DatabaseDefaults,
  type DatabaseSettings,
  databaseSettings,
  defaultSchema,
  describeDatabase,
  describePostgres,
  type PostgresSettings,
  type SqliteSettings,
} from './settings.js';
export { type Database, type Dialect, embeddedConnection, type ReadyResult } from './store.js';
export { exclusive, writeTransaction } from './write-transaction.js';
