/**
 * apikey-server settings from the environment, validated at startup with every problem listed.
 */
import { join } from 'node:path';
import type { DatabaseSettings } from '@mcp-auth/database';
import { type Env, EnvReader, readDatabaseSettings, readServerConfig, type ServerConfig } from '@mcp-auth/mcp-fastify';
import { readWeatherSettings } from '@mcp-auth/tools';

export interface ApiKeyServerConfig {
  readonly server: ServerConfig;
  /**
   * Where the API keys (hashes only) live: DATA_DIR/apikey-server.db, or the PostgreSQL DATABASE_URL
   * names (schema DATABASE_SCHEMA, default apikey_server), shared by every replica.
   */
  readonly database: DatabaseSettings;
  readonly weather: ReturnType<typeof readWeatherSettings>;
}

export const DEFAULT_PORT = 8100;

export function loadConfig(source: Env = process.env): ApiKeyServerConfig {
  const env = new EnvReader(source);
  const server = readServerConfig(env, { port: DEFAULT_PORT });
  const weather = readWeatherSettings(env);
  const database = readDatabaseSettings(env, { service: 'apikey-server', sqlitePath: join(server.dataDir, 'apikey-server.db') });
  env.finish();
  return { server, database, weather };
}
