/**
 * jwt-server settings from the environment, validated at startup with every problem listed.
 * PUBLIC_URL is the issuer of its tokens and, with a trailing slash, the resource (audience) they
 * are for: set it to the URL clients use when the server sits behind a proxy.
 */
import { join } from 'node:path';
import type { DatabaseSettings } from '@mcp-auth/database';
import { type Env, EnvReader, readDatabaseSettings, readServerConfig, type ServerConfig } from '@mcp-auth/mcp-fastify';
import { readWeatherSettings } from '@mcp-auth/tools';

export interface JwtServerConfig {
  readonly server: ServerConfig;
  /**
   * Clients and revoked tokens: DATA_DIR/jwt-server.db, or the PostgreSQL DATABASE_URL names (schema
   * DATABASE_SCHEMA, default jwt_server), shared by every replica.
   */
  readonly database: DatabaseSettings;
  /** Token issuer, e.g. http://127.0.0.1:8100 */
  readonly issuer: string;
  /** Resource identifier and token audience (RFC 8707), e.g. http://127.0.0.1:8100/ */
  readonly resource: string;
  readonly secretSource: { value: string | undefined; file: string | undefined; devFile: string };
  readonly tokenTtlSeconds: number;
  readonly clockToleranceSeconds: number;
  readonly rateLimit: { perClientPerMinute: number; perIpPerMinute: number };
  readonly weather: ReturnType<typeof readWeatherSettings>;
}

export const DEFAULT_PORT = 8100;
/** The scope a token needs to use this server's MCP endpoint. */
export const MCP_SCOPE = 'mcp';

export function loadConfig(source: Env = process.env): JwtServerConfig {
  const env = new EnvReader(source);
  const server = readServerConfig(env, { port: DEFAULT_PORT });
  const visibleHost =
    server.host === '0.0.0.0' || server.host === '::' ? 'localhost' : server.host.includes(':') ? `[${server.host}]` : server.host;
  const issuer = env.url('PUBLIC_URL', `http://${visibleHost}:${server.port}`, { allowHttp: !server.production });
  const config: JwtServerConfig = {
    server,
    database: readDatabaseSettings(env, { service: 'jwt-server', sqlitePath: join(server.dataDir, 'jwt-server.db') }),
    issuer,
    resource: new URL(`${issuer}/`).href,
    secretSource: { value: env.raw('JWT_SECRET'), file: env.raw('JWT_SECRET_FILE'), devFile: join(server.dataDir, 'jwt-secret') },
    tokenTtlSeconds: env.int('TOKEN_TTL_SECONDS', 3600, { min: 1, max: 86_400 }),
    clockToleranceSeconds: env.int('JWT_CLOCK_TOLERANCE_SECONDS', 30, { min: 0, max: 300 }),
    rateLimit: {
      perClientPerMinute: env.int('TOKEN_RATE_LIMIT_PER_CLIENT', 60, { min: 1, max: 1_000_000 }),
      perIpPerMinute: env.int('TOKEN_RATE_LIMIT_PER_IP', 600, { min: 1, max: 1_000_000 }),
    },
    weather: readWeatherSettings(env),
  };
  if (config.server.port === 0 && !env.raw('PUBLIC_URL'))
    env.problem('PORT=0 needs PUBLIC_URL: the issuer URL must be known before listening');
  env.finish();
  return config;
}
