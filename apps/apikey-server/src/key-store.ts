/**
 * The key database the server and the keys command share: the embedded SQLite file, or the
 * PostgreSQL DATABASE_URL names (migrated once however many replicas start together).
 */
import { type ApiKeyStore, type ApiKeyTables, openApiKeyStore } from '@mcp-auth/auth';
import { type BestEffortLog, type Database, type DatabaseLog, openStore } from '@mcp-auth/database';
import type { ApiKeyServerConfig } from './config.js';

export interface OpenedKeyStore {
  store: ApiKeyStore;
  /** For /ready and log lines (store.close() closes it). */
  database: Database<ApiKeyTables>;
}

export async function openKeyStore(
  config: Pick<ApiKeyServerConfig, 'database'>,
  log?: DatabaseLog & BestEffortLog,
): Promise<OpenedKeyStore> {
  const options = log ? { log } : {};
  const database = openStore<ApiKeyTables>(config.database, options);
  try {
    return { store: await openApiKeyStore(database, options), database };
  } catch (error) {
    await database.close();
    throw error;
  }
}
