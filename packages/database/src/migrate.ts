/**
 * Per-component schema migrations on either dialect, tracked in `schema_migrations (component,
 * version)`: the same table, and the same meaning of version (how many steps ran), as
 * packages/sqlite/src/migrate.ts, so a SQLite file migrated by that one continues here.
 *
 * A step is one SQL script for both dialects, or one per dialect where their types differ (BLOB and
 * BYTEA; INTEGER and BIGINT for millisecond timestamps; INTEGER PRIMARY KEY and an identity column).
 * The check and the steps run in one write transaction. On SQLite that is BEGIN IMMEDIATE, so two
 * processes on one file migrate once. On PostgreSQL several replicas start together and nothing in
 * READ COMMITTED stops two of them from both seeing version 0, so the transaction first takes a
 * transaction-level advisory lock for the schema: the others wait, then find the new version and do
 * nothing. PostgreSQL's DDL is transactional, so a step that fails leaves no half-made schema.
 * The lock wait counts against the statement timeout: steps must stay short (ours are DDL on small
 * tables).
 */
import { sql, type Transaction } from 'kysely';
import type { Database, Dialect } from './store.js';
import { internalsOf } from './store.js';
import { exclusive, writeTransaction } from './write-transaction.js';

export type MigrationStep = string | { readonly sqlite: string; readonly postgres: string };

const scriptFor = (step: MigrationStep, dialect: Dialect): string => (typeof step === 'string' ? step : step[dialect]);

async function versionOf<DB>(db: Database<DB>['db'] | Transaction<DB>, component: string): Promise<number> {
  const { rows } = await sql<{ version: number }>`SELECT version FROM schema_migrations WHERE component = ${component}`.execute(db);
  return rows[0]?.version ?? 0;
}

/** PostgreSQL's "no such table" and "no such schema" (a database nothing was migrated in yet). */
const notCreatedYet = (error: unknown) => ['42P01', '3F000'].includes((error as { code?: string }).code ?? '');

/** Runs the steps of `component` this database has not seen yet; resolves to how many ran here. */
export async function migrate<DB>(store: Database<DB>, component: string, steps: readonly MigrationStep[]): Promise<number> {
  const inside = internalsOf(store);
  // The usual start: nothing to do, no lock taken.
  try {
    if ((await versionOf(store.db, component)) >= steps.length) return 0;
  } catch (error) {
    if (!notCreatedYet(error)) throw error;
  }
  return writeTransaction(store, async (trx) => {
    if (store.dialect === 'postgres') {
      const schema = inside.schema as string;
      await exclusive(trx, `migrate:${schema}`);
      // Looked up first: CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database,
      // which a service's user may lack when an administrator made its schema.
      const { rows } = await sql`SELECT 1 FROM pg_namespace WHERE nspname = ${schema}`.execute(trx);
      if (rows.length === 0) await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT PRIMARY KEY, version INTEGER NOT NULL)`.execute(trx);
    }
    const from = await versionOf(trx, component);
    if (from >= steps.length) return 0;
    for (let v = from; v < steps.length; v++)
      await inside.runScript(trx as Transaction<unknown>, scriptFor(steps[v] as MigrationStep, store.dialect));
    await sql`INSERT INTO schema_migrations (component, version) VALUES (${component}, ${steps.length})
      ON CONFLICT (component) DO UPDATE SET version = excluded.version`.execute(trx);
    return steps.length - from;
  });
}
