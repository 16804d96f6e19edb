/**
 * A cheap readiness probe for a database file a server has open: what the server's next restart would
 * find. Asking the server's own connection proves little: its page cache keeps answering from memory
 * after the file is overwritten or deleted under it, and with WAL a fresh connection reads recent
 * pages from the -wal file, not the database file. So the probe checks the file is still the one
 * opened, that it starts with SQLite's header (§1.3 of the file format: "SQLite format 3\0"), and
 * reads the small table every database here has through a fresh read-only connection. Under a
 * millisecond.
 */
import { openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import Database from 'libsql';

export type DatabaseProbeResult = { ok: true } | { ok: false; reason: string };

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** An empty file is a database SQLite has not written yet. */
function hasSqliteHeader(fd: number): boolean {
  const head = Buffer.alloc(HEADER.length);
  const read = readSync(fd, head, 0, head.length, 0);
  return read === 0 || head.equals(HEADER);
}

/** `path` as given to openDatabase, after it was opened. */
export function createDatabaseProbe(path: string): () => DatabaseProbeResult {
  const name = basename(path);
  const inode = path === ':memory:' ? undefined : statSync(path).ino;
  // Opened once and never closed: closing any descriptor of the file would release every POSIX lock
  // this process holds on it, the server connection's included (see below).
  const fd = inode === undefined ? undefined : openSync(path, 'r');
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
      // The header through the descriptor kept open: never open and close the file with node:fs here.
      // Closing a descriptor releases every POSIX lock this process holds on the file, the server
      // connection's too; another process may then checkpoint and delete the WAL under it, and the
      // server reads a stale snapshot from then on (SQLite, "How To Corrupt An SQLite Database File"
      // §2.2). A second SQLite connection is safe: SQLite defers closing its own descriptors while
      // other connections of the process hold locks.
      if (fd !== undefined && !hasSqliteHeader(fd))
        return { ok: false, reason: `${name}: file is not a database (its header is not SQLite's)` };
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
