// A database file or folder that cannot be used is a DatabaseFileError with one sentence naming the
// path and what to do; the apps print it and exit 1 (their process tests check that end to end, and
// the read-only cases, which need a way to make a folder read-only even for root).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseFileError, migrate, openDatabase, probeDatabase } from '../src/index.js';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'sqlite-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openError = (path: string) => {
  try {
    openDatabase(path).close();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('openDatabase', () => {
  it('creates the folder and the file, and migrates once', () => {
    const db = openDatabase(join(dir, 'new', 'sub', 'a.db'));
    migrate(db, 'c', ['CREATE TABLE x (a INTEGER)']);
    migrate(db, 'c', ['CREATE TABLE x (a INTEGER)']);
    expect(probeDatabase(db)).toEqual({ ok: true });
    db.close();
  });

  it('a DATA_DIR that is a file', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const error = openError(join(file, 'hr-server.db'));
    expect(error).toBeInstanceOf(DatabaseFileError);
    expect((error as Error).message).toBe(
      `The data folder ${file} (DATA_DIR) is a file, not a folder: point DATA_DIR at a folder (it is created if missing).`,
    );
  });

  it('a file of garbage bytes where the database should be', () => {
    const file = join(dir, 'garbage.db');
    writeFileSync(file, randomBytes(8192));
    const error = openError(file);
    expect(error).toBeInstanceOf(DatabaseFileError);
    expect((error as Error).message).toBe(
      `The database ${file} is damaged or not a SQLite database: restore it from a backup, or move it away to start with an empty one.`,
    );
  });
});

describe('openDatabase while another process holds the new file', () => {
  // Two servers started together on a fresh DATA_DIR: one is still setting up the file when the other
  // switches it to WAL, which needs an exclusive lock, and SQLite answers SQLITE_BUSY at once (a
  // possible deadlock, so no busy handler). The second must wait, not exit with "stayed locked" (CI
  // failed once on exactly that in apps/project-server/test/write-race.test.ts).
  it('waits for the lock and opens', async () => {
    const path = join(dir, 'held.db');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const Database = require(${JSON.stringify(require.resolve('libsql'))});
         const db = new Database(${JSON.stringify(path)});
         db.exec('CREATE TABLE t (a INTEGER)');
         db.exec('BEGIN IMMEDIATE');
         db.exec('INSERT INTO t VALUES (1)');
         process.stdout.write('locked\\n');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 700);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.on('data', (d) => String(d).includes('locked') && resolve()));
    const db = openDatabase(path);
    expect(db.prepare('PRAGMA journal_mode').get()).toMatchObject({ journal_mode: 'wal' });
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toMatchObject({ n: 1 });
    db.close();
    await new Promise((resolve) => holder.on('exit', resolve));
  });
});
