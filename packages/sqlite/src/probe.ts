/**
 * A cheap readiness probe for a database file a server has open: what the server's next restart would
 * find. Asking the server's own connection proves little: its page cache keeps answering from memory
 * after the file is overwritten or deleted under it, and with WAL a fresh connection reads recent
 * pages from the -wal file, not the database file. So the probe checks the file is still the one
 * opened, that it starts with SQLite's header (§1.3 of the file format: "SQLite format 3\0"), and
 * reads the small table every database here has through a fresh read-only connection. Under a
 * millisecond.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import Database from 'libsql';

export type DatabaseProbeResult = { ok: true } | { ok: false; reason: string };

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function hasSqliteHeader(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(HEADER.length);
    const read = readSync(fd, head, 0, head.length, 0);
    return read === 0 || head.equals(HEADER); // an empty file is a database SQLite has not written yet
  } finally {
    closeSync(fd);
  }
}

/** `path` as given to openDatabase, after it was opened. */
export function createDatabaseProbe(path: string): () => DatabaseProbeResult {
  const name = basename(path);
  const inode = path === ':memory:' ? undefined : statSync(path).ino;
  return () => {
    if (inode === undefined) return { ok: true };
    let current: number;
    try {
      current = statSync(path).ino;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ok: false, reason: code === 'ENOENT' ? `${name} was deleted while the server runs` : `${name} cannot be read (${code})` };
    }
    // The server writes to the file it opened; a new file at the path would not see those writes.
    if (current !== inode) return { ok: false, reason: `${name} was replaced while the server runs: restart it` };
    let db: InstanceType<typeof Database> | undefined;
    try {
      if (!hasSqliteHeader(path)) return { ok: false, reason: `${name}: file is not a database (its header is not SQLite's)` };
      db = new Database(path, { readonly: true });
      db.pragma('busy_timeout = 500');
      db.prepare('SELECT count(*) FROM schema_migrations').get();
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: `${name}: ${(error as Error).message}` };
    } finally {
      db?.close();
    }
  };
}
