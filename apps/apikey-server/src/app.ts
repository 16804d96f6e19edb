/**
 * Method 1: the article's time and weather tools behind static API keys. Reads like configuration:
 * which tools, which verifier, which realm.
 */
import { type ApiKeyStore, createApiKeyVerifier } from '@mcp-auth/auth';
import { createMcpApp, type FastifyInstance, type Logger, mcpSettings } from '@mcp-auth/mcp-fastify';
import { createGetWeatherTool, createWeatherProvider, getTimeTool } from '@mcp-auth/tools';
import type { ApiKeyServerConfig } from './config.js';

export const SERVER_NAME = 'apikey-server';

export async function buildApp(config: ApiKeyServerConfig, deps: { store: ApiKeyStore; logger: Logger }): Promise<FastifyInstance> {
  const { server, weather } = config;
  return createMcpApp({
    serverInfo: { name: SERVER_NAME, version: '0.1.0', title: 'Time and weather (API key auth)' },
    tools: [getTimeTool, createGetWeatherTool({ provider: createWeatherProvider(weather), cacheTtlMs: weather.cacheTtlMs })],
    verifier: createApiKeyVerifier({ store: deps.store }),
    challenge: { realm: SERVER_NAME },
    logger: deps.logger,
    ...mcpSettings(server),
  });
}
