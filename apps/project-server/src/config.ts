/** project-server settings from the environment (see readResourceServerConfig), validated at startup. */
import { type Env, EnvReader, type ResourceServerConfig, readResourceServerConfig } from '@mcp-auth/mcp-fastify';

export const DEFAULT_PORT = 8002;

export function loadConfig(source: Env = process.env): ResourceServerConfig {
  const env = new EnvReader(source);
  const config = readResourceServerConfig(env, { port: DEFAULT_PORT, service: 'project-server' });
  env.finish();
  return config;
}
