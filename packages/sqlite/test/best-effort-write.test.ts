// Best-effort writes never throw, and a burst of failures is one log line a minute, not one per write.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BestEffortLog, bestEffortWriter, openDatabase, type SqliteDatabase, writeTransaction } from '../src/index.js';

let dir: string;
let db: SqliteDatabase;
let lines: Array<{ level: string; fields: Record<string, unknown>; message: string }>;
const log: BestEffortLog = {
  warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
  info: (fields, message) => lines.push({ level: 'info', fields, message }),
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-best-effort-'));
  db = openDatabase(join(dir, 'a.db'), { busyTimeoutMs: 2000 });
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER)');
  db.exec('INSERT INTO t VALUES (1, NULL)');
  lines = [];
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('bestEffortWriter', () => {
  it('swallows failures, logs the first, counts the rest, and says when writes work again', () => {
    let now = 0;
    const run = bestEffortWriter(db, { what: 'stamp', log, now: () => now });
    const stamp = db.prepare('UPDATE t SET at = ? WHERE id = 1');
    db.pragma('query_only = 1'); // every write now fails with SQLITE_READONLY
    for (let i = 0; i < 50; i++) expect(() => run(() => stamp.run(i))).not.toThrow();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', fields: { what: 'stamp', code: 'SQLITE_READONLY', failuresNotLogged: 0 } });
    now += 60_000;
    run(() => stamp.run(99));
    expect(lines).toHaveLength(2);
    expect(lines[1]?.fields).toMatchObject({ failuresNotLogged: 49 });
    db.pragma('query_only = 0');
    run(() => stamp.run(100));
    expect(lines[2]).toMatchObject({ level: 'info', message: 'best-effort write works again: stamp' });
    expect((db.prepare('SELECT at FROM t').get() as { at: number }).at).toBe(100);
  });

  it('does not wait for another process holding the write lock, and leaves the busy timeout as it was', () => {
    const other = openDatabase(join(dir, 'a.db'));
    other.exec('BEGIN IMMEDIATE');
    const run = bestEffortWriter(db, { what: 'stamp', log });
    const started = Date.now();
    run(() => db.prepare('UPDATE t SET at = 1 WHERE id = 1').run());
    const waited = Date.now() - started;
    other.exec('ROLLBACK');
    other.close();
    expect(lines[0]?.fields.code).toBe('SQLITE_BUSY');
    // and the connection writes as soon as the lock is free
    writeTransaction(db, () => db.prepare('UPDATE t SET at = 2 WHERE id = 1').run());
    // The busy timeout here is 2 s: a skipped stamp returns long before it (not a speed assertion,
    // a check that the 2 s wait did not happen).
    expect(waited).toBeLessThan(1000);
    expect((db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout).toBe(2000);
  });
});
