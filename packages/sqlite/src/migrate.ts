/**
 * Per-component schema migrations, tracked in `schema_migrations` so several stores can share a file.
 * The check and the upgrade happen in one write transaction, so two processes starting together on
 * one DATA_DIR migrate once: the second waits for the lock, then sees the new version.
 */
import type { SqliteDatabase } from './sqlite-database.js';
import { writeTransaction } from './write-transaction.js';

/** Runs the migrations of `component` that this database has not seen yet, in one transaction. */
export function migrate(db: SqliteDatabase, component: string, migrations: readonly string[]): void {
  const version = db.prepare('SELECT version FROM schema_migrations WHERE component = ?');
  const current = () => (version.get(component) as { version: number } | undefined)?.version ?? 0;
  if (current() >= migrations.length) return; // the usual start: nothing to do, no lock taken
  writeTransaction(db, () => {
    const from = current();
    if (from >= migrations.length) return;
    for (let v = from; v < migrations.length; v++) db.exec(migrations[v] as string);
    db.prepare(
      'INSERT INTO schema_migrations (component, version) VALUES (?, ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version',
    ).run(component, migrations.length);
  });
}
