/**
 * issuer settings from the environment, validated at startup with every problem listed.
 * ISSUER is the `iss` of its tokens (the article's https://dev-issuer.com by default); PUBLIC_URL is
 * where it is reached, which names the token and JWKS endpoints in its metadata.
 */
import { join } from 'node:path';
import { type Env, EnvReader, readServerConfig, type ServerConfig, workspaceRoot } from '@mcp-auth/mcp-fastify';

export interface IssuerConfig {
  readonly server: ServerConfig;
  readonly dbPath: string;
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
    issuer: env.string('ISSUER', 'https://dev-issuer.com'),
    defaultAudience: env.string('DEFAULT_AUDIENCE', 'my-mcp-server'),
  };
}

export function loadConfig(source: Env = process.env): IssuerConfig {
  const env = new EnvReader(source);
  const server = readServerConfig(env, { port: DEFAULT_PORT });
  const visibleHost = server.host === '0.0.0.0' || server.host === '::' ? 'localhost' : server.host;
  const keys = readKeySettings(env);
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
    dbPath: join(server.dataDir, 'issuer.db'),
    publicUrl: env.url('PUBLIC_URL', `http://${visibleHost}:${server.port}`, { allowHttp: !server.production }),
    resources,
    rateLimit: {
      perClientPerMinute: env.int('TOKEN_RATE_LIMIT_PER_CLIENT', 60, { min: 1, max: 1_000_000 }),
      perIpPerMinute: env.int('TOKEN_RATE_LIMIT_PER_IP', 600, { min: 1, max: 1_000_000 }),
    },
    ...keys,
    demoCredentialsFile: join(keys.keyDir, 'demo-credentials.json'),
  };
  env.finish();
  return config;
}
