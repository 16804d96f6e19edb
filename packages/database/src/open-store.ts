/**
 * openStore(settings): the one call a server makes to get its database, embedded or shared, from
 * what databaseSettings() read at startup.
 */
import { openPostgresStore, type PostgresOptions } from './postgres.js';
import type { DatabaseSettings } from './settings.js';
import { openSqliteStore, type SqliteOptions } from './sqlite.js';
import type { Database } from './store.js';

export type OpenStoreOptions = SqliteOptions & PostgresOptions;

/**
 * Opens the SQLite file (created if missing; a DatabaseFileError when it cannot be used) or the
 * PostgreSQL pool (which connects lazily: the first query, usually migrate at startup, reaches the
 * server). Call migrate() for each component before serving.
 */
export function openStore<DB>(settings: DatabaseSettings, options: OpenStoreOptions = {}): Database<DB> {
  return settings.kind === 'sqlite' ? openSqliteStore<DB>(settings, options) : openPostgresStore<DB>(settings, options);
}
