/**
 * apikey-server settings from the environment, validated at startup with every problem listed.
 */
import { join } from 'node:path';
import { type Env, EnvReader, readServerConfig, type ServerConfig } from '@mcp-auth/mcp-fastify';
import { readWeatherSettings } from '@mcp-auth/tools';

export interface ApiKeyServerConfig {
  readonly server: ServerConfig;
  /** SQLite file holding the API keys (hashes only). */
  readonly keysDbPath: string;
  readonly weather: ReturnType<typeof readWeatherSettings>;
}

export const DEFAULT_PORT = 8100;

export function loadConfig(source: Env = process.env): ApiKeyServerConfig {
  const env = new EnvReader(source);
  const server = readServerConfig(env, { port: DEFAULT_PORT });
  const weather = readWeatherSettings(env);
  env.finish();
  return { server, keysDbPath: join(server.dataDir, 'apikey-server.db'), weather };
}
