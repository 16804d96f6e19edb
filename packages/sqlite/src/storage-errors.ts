/**
 * The SQLite failures callers act on, as types: a file that cannot be a database (a startup problem
 * with one plain sentence) and a write lock that could not be had in time (a refusal the caller can
 * retry). Every other SQLite error stays what it is: a bug or a broken disk, logged with its stack.
 */

/** The database file or its folder cannot be used. The message says which path and what to do. */
export class DatabaseFileError extends Error {
  override readonly name = 'DatabaseFileError';
}

/**
 * Another connection (a second server, the admin CLI) held the write lock for longer than the busy
 * timeout. Nothing was written; the same write can simply be tried again.
 */
export class DatabaseBusyError extends Error {
  override readonly name = 'DatabaseBusyError';
  readonly code = 'SQLITE_BUSY';
  constructor() {
    super('The database is busy (another process is writing); nothing was changed, try again');
  }
}

/** The SQLite result code of an error thrown by libsql (`SQLITE_BUSY`, `SQLITE_FULL`, ...), if any. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_TIMEOUT, ...). */
export const isBusy = (error: unknown): boolean => sqliteCode(error)?.startsWith('SQLITE_BUSY') ?? false;
