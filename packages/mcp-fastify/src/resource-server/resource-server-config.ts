/**
 * Settings of method 3's resource servers (hr-server, project-server, crm-server), which trust the
 * issuer's RS256 tokens and enforce the RBAC policy. Every problem is reported at once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY_PATH } from '@mcp-auth/auth';
import type { EnvReader } from '../config/env-reader.js';
import { readServerConfig, type ServerConfig } from '../config/server-config.js';
import { LOOPBACK_HOSTS } from '../http/origin-guard.js';

export interface ResourceServerConfig {
  readonly server: ServerConfig;
  readonly dbPath: string;
  /** Where this server is reached; with a trailing slash, its resource identifier and own audience. */
  readonly publicUrl: string;
  readonly resource: string;
  /** Expected `iss` of tokens. */
  readonly issuer: string;
  /** Where the issuer is reached (named in this server's RFC 9728 metadata). */
  readonly issuerUrl: string;
  /** Public keys: the issuer's JWKS, or a pinned public.pem when PUBLIC_KEY_FILE is set. */
  readonly keys: { jwksUrl: string; cooldownMs: number } | { publicKeyFile: string };
  /**
   * ISSUER_URL/JWKS_URL/REVOCATIONS_URL values accepted over plain http in production because their host is named in
   * PRIVATE_HTTP_HOSTS; the server logs a warning naming them at startup.
   */
  readonly plainHttpTrusted: readonly string[];
  /** Accepted audiences: the shared one and this server's resource. */
  readonly audiences: readonly string[];
  readonly roleClaim: string;
  readonly clockToleranceSeconds: number;
  readonly policyFile: string;
  /** The issuer's revocation feed, polled in the background; undefined when off. */
  readonly revocations: { url: string; pollMs: number } | undefined;
}

/**
 * REVOCATIONS_URL: on by default beside the issuer's JWKS, at the same origin (the issuer serves both;
 * in compose that is the private http://issuer:8000, not the ISSUER_URL clients are told); with a
 * pinned PUBLIC_KEY_FILE only when named (the article's setup may have no issuer to poll); `none`
 * turns it off. Plain http is judged by issuerHttpsRule with the other issuer URLs.
 */
function readRevocationFeed(env: EnvReader, keys: ResourceServerConfig['keys']) {
  const named = env.raw('REVOCATIONS_URL');
  const pollMs = env.int('REVOCATION_POLL_SECONDS', 5, { min: 1, max: 3600 }) * 1000;
  if (named === 'none' || ('publicKeyFile' in keys && !named)) return undefined;
  const beside = 'jwksUrl' in keys ? new URL('/revocations', keys.jwksUrl).href : undefined;
  return { url: env.url('REVOCATIONS_URL', beside ?? '', { allowHttp: true }), pollMs };
}

export function readResourceServerConfig(env: EnvReader, defaults: { port: number; dbFile: string }): ResourceServerConfig {
  const server = readServerConfig(env, defaults);
  const visibleHost = server.host === '0.0.0.0' || server.host === '::' ? 'localhost' : server.host;
  const publicUrl = env.url('PUBLIC_URL', `http://${visibleHost}:${server.port}`, { allowHttp: !server.production });
  // Plain http is refused in production by issuerHttpsRule below, which knows PRIVATE_HTTP_HOSTS.
  const issuerUrl = env.url('ISSUER_URL', 'http://127.0.0.1:8000', { allowHttp: true });
  const publicKeyFile = env.raw('PUBLIC_KEY_FILE');
  if (publicKeyFile && !existsSync(publicKeyFile)) env.problem(`PUBLIC_KEY_FILE=${publicKeyFile} does not exist`);
  const policyFile = env.string('RBAC_POLICY_FILE', DEFAULT_POLICY_PATH);
  const resource = new URL(`${publicUrl}/`).href;
  const keys: ResourceServerConfig['keys'] = publicKeyFile
    ? { publicKeyFile }
    : {
        jwksUrl: env.url('JWKS_URL', `${issuerUrl}/.well-known/jwks.json`, { allowHttp: true }),
        cooldownMs: env.int('JWKS_REFETCH_COOLDOWN_SECONDS', 10, { min: 0, max: 3600 }) * 1000,
      };
  const config: Omit<ResourceServerConfig, 'plainHttpTrusted'> = {
    server,
    dbPath: join(server.dataDir, defaults.dbFile),
    publicUrl,
    resource,
    issuer: env.string('ISSUER', 'https://dev-issuer.com'),
    issuerUrl,
    keys,
    audiences: [env.string('DEFAULT_AUDIENCE', 'my-mcp-server'), resource],
    roleClaim: env.string('ROLE_CLAIM', 'job_role'),
    clockToleranceSeconds: env.int('JWT_CLOCK_TOLERANCE_SECONDS', 30, { min: 0, max: 300 }),
    policyFile,
    revocations: readRevocationFeed(env, keys),
  };
  return { ...config, plainHttpTrusted: issuerHttpsRule(env, server.production, config) };
}

/**
 * The https rule for the issuer URLs. In production they must use https: a server that loads its
 * token keys over plain http trusts anyone who can touch the wire. Plain http stays allowed on
 * loopback, and on hosts the operator names in PRIVATE_HTTP_HOSTS, a private network it trusts (in
 * docker compose, the service `issuer`). Returns the URLs let through that way, for the startup
 * warning, so the trust is never silent.
 */
function issuerHttpsRule(
  env: EnvReader,
  production: boolean,
  config: Pick<ResourceServerConfig, 'issuerUrl' | 'keys' | 'revocations'>,
): string[] {
  const privateHosts = new Set(env.list('PRIVATE_HTTP_HOSTS', []).map((h) => h.toLowerCase()));
  const trusted: string[] = [];
  if (!production) return trusted;
  const urls = {
    ISSUER_URL: config.issuerUrl,
    JWKS_URL: 'jwksUrl' in config.keys ? config.keys.jwksUrl : undefined,
    REVOCATIONS_URL: config.revocations?.url,
  };
  for (const [name, value] of Object.entries(urls)) {
    const host = value === undefined ? undefined : plainHttpHost(value);
    if (host === undefined || LOOPBACK_HOSTS.includes(host)) continue;
    if (privateHosts.has(host)) trusted.push(`${name}=${value}`);
    else
      env.problem(
        `${name}="${value}" must use https in production. Plain http is allowed for localhost, and for hosts on a private network you trust named in PRIVATE_HTTP_HOSTS (docker compose sets PRIVATE_HTTP_HOSTS=issuer)`,
      );
  }
  return trusted;
}

/** The lower-cased host of an http: URL, or undefined for https: and for values that are not URLs. */
function plainHttpHost(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' ? url.hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
