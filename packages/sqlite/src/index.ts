/**
 * Embedded SQLite (libsql) for the stores and tools: opening a file with its problems said plainly,
 * per-component migrations, the one way to write (writeTransaction), best-effort writes that never
 * fail a request, and a readiness probe.
 */
export { type BestEffortLog, type BestEffortOptions, bestEffortReporter, bestEffortWriter } from './best-effort-write.js';
export { migrate } from './migrate.js';
export { DEFAULT_BUSY_TIMEOUT_MS, type OpenDatabaseOptions, openDatabase } from './open-database.js';
export { type DatabaseProbe, probeDatabase } from './probe-database.js';
export type { SqliteDatabase } from './sqlite-database.js';
export { DatabaseBusyError, DatabaseFileError, isBusy, sqliteCode } from './storage-errors.js';
export { writeTransaction } from './write-transaction.js';

export const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
export const toMs = (date: Date | null | undefined): number | null => date?.getTime() ?? null;

export { createDatabaseProbe, type DatabaseProbeResult } from './probe.js';
