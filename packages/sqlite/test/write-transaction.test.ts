// Why one SQLITE_BUSY used to break every later write on a connection, and how writeTransaction
// keeps a connection writable: two connections on one file stand for two processes on one DATA_DIR.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseBusyError, openDatabase, type SqliteDatabase, sqliteCode, writeTransaction } from '../src/index.js';

let dir: string;
let path: string;
let writer: SqliteDatabase; // the other process, holding the write lock
let server: SqliteDatabase; // the connection that must keep working
const count = (db: SqliteDatabase) => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-tx-'));
  path = join(dir, 'test.db');
  writer = openDatabase(path, { busyTimeoutMs: 50 });
  writer.exec('CREATE TABLE t (x INTEGER)');
  server = openDatabase(path, { busyTimeoutMs: 50 });
});
afterEach(() => {
  writer.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A write as the tools do it: read first (validation, next id), then write. */
const readThenWrite = (db: SqliteDatabase, x: number) => {
  db.prepare('SELECT count(*) AS n FROM t').get();
  db.prepare('INSERT INTO t VALUES (?)').run(x);
};

describe('a deferred transaction (the old db.transaction(fn)())', () => {
  it('meets SQLITE_BUSY once and then fails every later write with SQLITE_BUSY_SNAPSHOT', () => {
    const deferred = server.transaction((x: number) => readThenWrite(server, x));
    writer.exec('BEGIN IMMEDIATE');
    writer.exec('INSERT INTO t VALUES (0)');
    expect(() => deferred(1)).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    writer.exec('COMMIT');
    // The lock is free now, yet the INSERT that failed was never reset (libsql resets a statement
    // before run(), not after a failed one), so it still holds the read snapshot taken before the
    // writer's commit. The ROLLBACK ended the transaction but not that read; a write from the stale
    // snapshot is refused at once, whatever the busy timeout: the connection never writes again.
    const codes = Array.from({ length: 5 }, (_, i) => {
      try {
        deferred(10 + i);
        return 'ok';
      } catch (error) {
        return sqliteCode(error);
      }
    });
    expect(codes).toEqual(Array(5).fill('SQLITE_BUSY_SNAPSHOT'));
  });
});

describe('writeTransaction', () => {
  it('refuses a write it cannot get the lock for, writes nothing, and writes again once the lock is free', () => {
    writer.exec('BEGIN IMMEDIATE');
    writer.exec('INSERT INTO t VALUES (0)');
    expect(() => writeTransaction(server, () => readThenWrite(server, 1))).toThrow(DatabaseBusyError);
    expect(server.inTransaction).toBe(false);
    writer.exec('COMMIT');
    for (let i = 0; i < 5; i++) writeTransaction(server, () => readThenWrite(server, 10 + i));
    expect(count(writer)).toBe(6);
  });

  it('says what happened in words a caller can act on', () => {
    writer.exec('BEGIN IMMEDIATE');
    expect(() => writeTransaction(server, () => 1)).toThrow(
      'The database is busy (another process is writing); nothing was changed, try again',
    );
    writer.exec('ROLLBACK');
  });

  it('commits the result of its body and rolls everything back when the body throws', () => {
    const result = writeTransaction(server, () => {
      readThenWrite(server, 1);
      return 'done';
    });
    expect(result).toBe('done');
    expect(() =>
      writeTransaction(server, () => {
        readThenWrite(server, 2);
        throw new Error('invalid input');
      }),
    ).toThrow('invalid input');
    expect(count(writer)).toBe(1);
    expect(server.inTransaction).toBe(false);
  });

  it('reports SQLITE_FULL itself (not a failed ROLLBACK) and stays usable', () => {
    const pages = (server.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    server.pragma(`max_page_count = ${pages}`);
    let error: unknown;
    try {
      writeTransaction(server, () => {
        for (let i = 0; i < 100; i++) server.prepare('INSERT INTO t VALUES (randomblob(1000))').run();
      });
    } catch (e) {
      error = e;
    }
    expect(sqliteCode(error)).toBe('SQLITE_FULL');
    expect(server.inTransaction).toBe(false);
    expect(count(server)).toBe(0);
    server.pragma('max_page_count = 100000');
    writeTransaction(server, () => readThenWrite(server, 1));
    expect(count(writer)).toBe(1);
  });
});
