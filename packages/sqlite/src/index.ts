/**
 * Opens an embedded SQLite database (libsql: better-sqlite3's API with prebuilt binaries) and applies
 * one component's migrations, tracked per component so several stores can share a file.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';

export type SqliteDatabase = InstanceType<typeof Database>;

export function openDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // With WAL, NORMAL syncs at checkpoints rather than on every commit: a crash of the process loses
  // nothing, a power cut may lose the last commits, and the file is never corrupted (SQLite docs).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT PRIMARY KEY, version INTEGER NOT NULL) STRICT');
  return db;
}

/** Runs the migrations of `component` that this database has not seen yet, in one transaction. */
export function migrate(db: SqliteDatabase, component: string, migrations: readonly string[]): void {
  const row = db.prepare('SELECT version FROM schema_migrations WHERE component = ?').get(component) as { version: number } | undefined;
  const from = row?.version ?? 0;
  if (from >= migrations.length) return;
  db.transaction(() => {
    for (let v = from; v < migrations.length; v++) db.exec(migrations[v] as string);
    db.prepare(
      'INSERT INTO schema_migrations (component, version) VALUES (?, ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version',
    ).run(component, migrations.length);
  })();
}

export const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
export const toMs = (date: Date | null | undefined): number | null => date?.getTime() ?? null;

export { createDatabaseProbe, type DatabaseProbeResult } from './probe.js';
