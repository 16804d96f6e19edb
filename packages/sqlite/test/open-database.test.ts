// A database file or folder that cannot be used is a DatabaseFileError with one sentence naming the
// path and what to do; the apps print it and exit 1 (their process tests check that end to end, and
// the read-only cases, which need a way to make a folder read-only even for root).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseFileError, migrate, openDatabase, probeDatabase } from '../src/index.js';

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
