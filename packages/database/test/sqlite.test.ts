// SQLite only: a write transaction takes the file's write lock before its body runs (BEGIN IMMEDIATE,
// not Kysely's plain BEGIN), so a lock another process holds is a DatabaseBusyError before anything is
// read, never a SQLITE_BUSY_SNAPSHOT halfway through the body.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bestEffortWriter, openDatabase, writeTransaction as sqliteWriteTransaction } from '@mcp-auth/sqlite';
import { afterEach, expect, it } from 'vitest';
import { DatabaseBusyError, databaseSettings, embeddedConnection, migrate, openStore, writeTransaction } from '../src/index.js';

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

it('shares its connection with stores that still write SQLite directly, and no such write ever joins one of its transactions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'database-'));
  dirs.push(dir);
  const store = openStore<{ notes: { text: string } }>(databaseSettings({}, { service: 'test', sqlitePath: join(dir, 'shared.db') }));
  await migrate(store, 'notes', ['CREATE TABLE notes (text TEXT NOT NULL) STRICT']);
  const connection = embeddedConnection(store);
  const insert = connection.prepare('INSERT INTO notes (text) VALUES (?)');
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  // A transaction of Kysely's, its body awaiting (as a store's body awaits each statement) and then
  // rolled back: a direct write made meanwhile must not be in it, nor be undone with it.
  const rolledBack = writeTransaction(store, async (trx) => {
    await trx.insertInto('notes').values({ text: 'rolled back' }).execute();
    await held;
    throw new Error('roll back');
  });
  await new Promise((r) => setTimeout(r, 10));
  expect(() => sqliteWriteTransaction(connection, () => insert.run('direct, during'))).toThrow(DatabaseBusyError);
  // A best-effort write is skipped quietly, as when another process holds the lock: not run, not a warning.
  const warnings: unknown[] = [];
  let ran = false;
  bestEffortWriter(connection, { what: 'a stamp', log: { warn: (fields: unknown) => warnings.push(fields), info: () => {} } })(() => {
    ran = true;
  });
  expect([ran, warnings]).toEqual([false, []]);
  release();
  await expect(rolledBack).rejects.toThrow('roll back');
  sqliteWriteTransaction(connection, () => insert.run('direct, after'));
  expect(await store.db.selectFrom('notes').selectAll().execute()).toEqual([{ text: 'direct, after' }]);
  await store.close();
});

it('has no embedded connection to give for PostgreSQL settings', () => {
  const store = openStore(databaseSettings({ DATABASE_URL: 'postgres://app@127.0.0.1:1/app' }, { service: 'test', sqlitePath: '/unused' }));
  expect(() => embeddedConnection(store)).toThrow(/not an embedded SQLite database/);
  return store.close();
});
