// SQLite only: a write transaction takes the file's write lock before its body runs (BEGIN IMMEDIATE,
// not Kysely's plain BEGIN), so a lock another process holds is a DatabaseBusyError before anything is
// read, never a SQLITE_BUSY_SNAPSHOT halfway through the body.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@mcp-auth/sqlite';
import { afterEach, expect, it } from 'vitest';
import { DatabaseBusyError, databaseSettings, migrate, openStore, writeTransaction } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it('refuses a write transaction at its start while another connection holds the write lock, then writes once it is free', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'database-'));
  dirs.push(dir);
  const path = join(dir, 'locked.db');
  const store = openStore<{ notes: { text: string } }>(databaseSettings({}, { service: 'test', sqlitePath: path }), { busyTimeoutMs: 50 });
  await migrate(store, 'notes', ['CREATE TABLE notes (text TEXT NOT NULL) STRICT']);
  // Another process (the admin CLI, a second server) in the middle of a write.
  const other = openDatabase(path);
  other.exec('BEGIN IMMEDIATE');
  let bodyRan = false;
  await expect(
    writeTransaction(store, async (trx) => {
      bodyRan = true;
      await trx.selectFrom('notes').selectAll().execute();
      await trx.insertInto('notes').values({ text: 'too early' }).execute();
    }),
  ).rejects.toBeInstanceOf(DatabaseBusyError);
  expect(bodyRan).toBe(false);
  other.exec('ROLLBACK');
  other.close();
  await writeTransaction(store, (trx) => trx.insertInto('notes').values({ text: 'written' }).execute());
  expect(await store.db.selectFrom('notes').selectAll().execute()).toEqual([{ text: 'written' }]);
  await store.close();
});
