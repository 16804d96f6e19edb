/**
 * issuer settings from the environment, validated at startup with every problem listed.
 * PUBLIC_URL is where it is reached, which names its endpoints in its metadata; ISSUER, the `iss` of
 * its tokens and its metadata's `issuer`, defaults to PUBLIC_URL (the article used
 * https://dev-issuer.com, still available by setting ISSUER).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY_PATH } from '@mcp-auth/auth';
import type { DatabaseSettings } from '@mcp-auth/database';
import { type Env, EnvReader, readDatabaseSettings, readServerConfig, type ServerConfig, workspaceRoot } from '@mcp-auth/mcp-fastify';

export interface IssuerConfig {
  readonly server: ServerConfig;
  /**
   * Clients, revoked tokens, people and sign-ins: DATA_DIR/issuer.db, or the PostgreSQL DATABASE_URL
   * names (schema DATABASE_SCHEMA, default issuer), shared by every replica.
   */
  readonly database: DatabaseSettings;
  readonly issuer: string;
  readonly publicUrl: string;
  /** `aud` of tokens that name no resource: the article's shared audience. */
  readonly defaultAudience: string;
  /** RFC 8707 resources a client may ask a token for; each becomes that token's only `aud`. */
  readonly resources: readonly string[];
  readonly keyDir: string;
  /** Dev mode: where the demo identities' secrets are saved for the agent (gitignored, 0600). */
  readonly demoCredentialsFile: string;
  readonly tokenTtlSeconds: number;
  readonly rateLimit: { perClientPerMinute: number; perIpPerMinute: number };
  readonly signIn: SignInConfig;
  /** The RBAC policy, whose scopes sign-ins are granted from (the resource servers enforce the same file). */
  readonly policyFile: string;
}

/** People signing in in a browser (authorization code + PKCE) and the refresh tokens they get. */
export interface SignInConfig {
  /** A refresh token unused this long expires; every use rotates it. */
  readonly refreshTokenIdleSeconds: number;
  /** All refresh tokens of one sign-in stop working this long after it, used or not. */
  readonly lifetimeSeconds: number;
  /** Failed sign-ins per 10 minutes from one address, and for one account, before more are refused. */
  readonly limitPerAddress: number;
  readonly limitPerAccount: number;
  /** Pre-registered clients (RFC 7591 metadata, a JSON array), or undefined. */
  readonly clientsFile: string | undefined;
  /** Dev mode: where the demo people's passwords are saved (gitignored, 0600). */
  readonly demoPasswordsFile: string;
}

export const DEFAULT_PORT = 8000;
export const DEFAULT_RESOURCES = ['http://127.0.0.1:8001/', 'http://127.0.0.1:8002/', 'http://127.0.0.1:8003/'];

export function defaultKeyDir(): string {
  return join(workspaceRoot() ?? process.cwd(), 'mcp_auth');
}

/** Settings the key and token commands need too (they run without a server). */
export function readKeySettings(env: EnvReader) {
  return {
    keyDir: env.string('MCP_AUTH_DIR', defaultKeyDir()),
    tokenTtlSeconds: env.int('TOKEN_TTL_SECONDS', 3600, { min: 1, max: 86_400 }),
    defaultAudience: env.string('DEFAULT_AUDIENCE', 'my-mcp-server'),
  };
}

export function loadConfig(source: Env = process.env): IssuerConfig {
  const env = new EnvReader(source);
  const server = readServerConfig(env, { port: DEFAULT_PORT });
  const visibleHost = server.host === '0.0.0.0' || server.host === '::' ? 'localhost' : server.host;
  const keys = readKeySettings(env);
  const publicUrl = env.url('PUBLIC_URL', `http://${visibleHost}:${server.port}`, { allowHttp: !server.production });
  // The issuer identifier is the URL it is reached at (RFC 8414 §3.3: clients discover the metadata
  // from it and refuse a mismatch); the article's https://dev-issuer.com stays available by setting.
  const issuer = env.string('ISSUER', publicUrl);
  const clientsFile = env.raw('OAUTH_CLIENTS_FILE');
  if (clientsFile && !existsSync(clientsFile)) env.problem(`OAUTH_CLIENTS_FILE=${clientsFile} does not exist`);
  const resources = env.list('RESOURCE_SERVERS', DEFAULT_RESOURCES).map((r) => {
    try {
      return new URL(r).href;
    } catch {
      env.problem(`RESOURCE_SERVERS entry "${r}" is not an absolute URL`);
      return r;
    }
  });
  const config: IssuerConfig = {
    server,
    database: readDatabaseSettings(env, { service: 'issuer', sqlitePath: join(server.dataDir, 'issuer.db') }),
    publicUrl,
    issuer,
    resources,
    rateLimit: {
      perClientPerMinute: env.int('TOKEN_RATE_LIMIT_PER_CLIENT', 60, { min: 1, max: 1_000_000 }),
      perIpPerMinute: env.int('TOKEN_RATE_LIMIT_PER_IP', 600, { min: 1, max: 1_000_000 }),
    },
    ...keys,
    demoCredentialsFile: join(keys.keyDir, 'demo-credentials.json'),
    policyFile: env.string('RBAC_POLICY_FILE', DEFAULT_POLICY_PATH),
    signIn: {
      refreshTokenIdleSeconds: env.int('REFRESH_TOKEN_IDLE_SECONDS', 14 * 86_400, { min: 60, max: 365 * 86_400 }),
      lifetimeSeconds: env.int('SIGN_IN_LIFETIME_SECONDS', 30 * 86_400, { min: 60, max: 365 * 86_400 }),
      limitPerAddress: env.int('SIGN_IN_LIMIT_PER_ADDRESS', 20, { min: 1, max: 100_000 }),
      limitPerAccount: env.int('SIGN_IN_LIMIT_PER_ACCOUNT', 10, { min: 1, max: 100_000 }),
      clientsFile: clientsFile || undefined,
      demoPasswordsFile: join(keys.keyDir, 'demo-passwords.json'),
    },
  };
  env.finish();
  return config;
}
