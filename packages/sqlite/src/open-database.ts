/**
 * Opens an embedded SQLite database and checks, once, that it can be used: its folder exists or can
 * be made, the file is a database, and this process may write to it. A problem with the file is a
 * DatabaseFileError naming the path and what to do (the apps print it as one sentence and exit 1).
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import type { SqliteDatabase } from './sqlite-database.js';
import { DatabaseFileError, isBusy, sqliteCode } from './storage-errors.js';

export interface OpenDatabaseOptions {
  /**
   * How long a write waits for another connection's write lock before it is refused (SQLite's
   * busy_timeout). Writes here take well under a millisecond, so the default 5 s only runs out when
   * another process holds a long transaction.
   */
  busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

function folderProblem(dir: string, error: NodeJS.ErrnoException): DatabaseFileError {
  const notAFolder = error.code === 'EEXIST' || error.code === 'ENOTDIR';
  return new DatabaseFileError(
    notAFolder
      ? `The data folder ${dir} (DATA_DIR) is a file, not a folder: point DATA_DIR at a folder (it is created if missing).`
      : `The data folder ${dir} (DATA_DIR) cannot be created (${error.code}): point DATA_DIR at a folder this user can write to.`,
  );
}

/** Turns what SQLite says about an unusable file into a sentence; other errors are returned as they are. */
function fileProblem(path: string, error: unknown): unknown {
  const dir = dirname(path);
  switch (sqliteCode(error)) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new DatabaseFileError(
        `The database ${path} is damaged or not a SQLite database: restore it from a backup, or move it away to start with an empty one.`,
      );
    case 'SQLITE_READONLY':
      return new DatabaseFileError(
        `The database ${path} is read-only: make it (and its folder ${dir}, DATA_DIR) writable for this user, or point DATA_DIR elsewhere.`,
      );
    case 'SQLITE_BUSY':
      return new DatabaseFileError(
        `The database ${path} stayed locked by another process for the whole busy timeout: let it finish (an admin command, another server's long write) and start again.`,
      );
    case 'SQLITE_CANTOPEN':
    case undefined: // libsql reports a failed open as a plain Error ("Unable to open connection ...: 14")
      return new DatabaseFileError(
        `The database ${path} cannot be opened or created: make its folder ${dir} (DATA_DIR) writable for this user, or point DATA_DIR elsewhere.`,
      );
    default:
      return error;
  }
}

/**
 * Runs the idempotent setup of a connection again while SQLite answers SQLITE_BUSY, for up to the busy
 * timeout. The busy timeout alone is not enough here: switching a new file to WAL needs an exclusive
 * lock, and when another process is setting up the same new file (two servers started together on a
 * fresh DATA_DIR) SQLite sees a possible deadlock and answers SQLITE_BUSY at once without waiting.
 * Startup only, so a blocking sleep is fine.
 */
function untilNotBusy(timeoutMs: number, setUp: () => void): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      setUp();
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 40);
    }
  }
}

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  if (path !== ':memory:') {
    const dir = dirname(path);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw folderProblem(dir, error as NodeJS.ErrnoException);
    }
  }
  // A read-only file still opens (SQLite falls back to reading it) and fails only at the first write,
  // perhaps long after startup, so look now. access() also refuses root an immutable file or a
  // read-only mount, which is what makes SQLite fall back.
  if (path !== ':memory:' && existsSync(path)) {
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch {
      throw fileProblem(path, { code: 'SQLITE_READONLY' });
    }
  }
  let db: SqliteDatabase;
  try {
    db = new Database(path);
  } catch (error) {
    throw fileProblem(path, error);
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    untilNotBusy(busyTimeoutMs, () => {
      db.pragma('journal_mode = WAL');
      // With WAL, NORMAL syncs at checkpoints rather than on every commit: a crash of the process loses
      // nothing, a power cut may lose the last commits, and the file is never corrupted (SQLite docs).
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT');
    });
  } catch (error) {
    db.close();
    throw fileProblem(path, error);
  }
  return db;
}
