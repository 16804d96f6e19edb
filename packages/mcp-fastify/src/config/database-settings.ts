/**
 * DATABASE_URL and DATABASE_SCHEMA, read with the rest of a server's settings: unset, the server keeps
 * its embedded SQLite file; set, its data lives in that PostgreSQL (see @mcp-auth/database). A value
 * that cannot be used is one more problem in the startup message, said without the password.
 */
import { type DatabaseDefaults, type DatabaseSettings, DatabaseUrlError, databaseSettings } from '@mcp-auth/database';
import type { EnvReader } from './env-reader.js';

export function readDatabaseSettings(env: EnvReader, defaults: DatabaseDefaults): DatabaseSettings {
  try {
    return databaseSettings({ DATABASE_URL: env.raw('DATABASE_URL'), DATABASE_SCHEMA: env.raw('DATABASE_SCHEMA') }, defaults);
  } catch (error) {
    if (!(error instanceof DatabaseUrlError)) throw error;
    env.problem(error.message);
    return { kind: 'sqlite', path: defaults.sqlitePath };
  }
}
