/**
 * Settings of method 3's resource servers (hr-server, project-server, crm-server), which trust the
 * issuer's RS256 tokens and enforce the RBAC policy. Every problem is reported at once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY_PATH, parseRoleMap, type RoleMap } from '@mcp-auth/auth';
import type { DatabaseSettings } from '@mcp-auth/database';
import { readDatabaseSettings } from '../config/database-settings.js';
import type { EnvReader } from '../config/env-reader.js';
import { readServerConfig, type ServerConfig } from '../config/server-config.js';
import { LOOPBACK_HOSTS } from '../http/origin-guard.js';

export interface ResourceServerConfig {
  readonly server: ServerConfig;
  /**
   * The server's data (the HR, project or CRM records): DATA_DIR/<service>.db, or the PostgreSQL
   * DATABASE_URL names (schema DATABASE_SCHEMA, default the service's name), shared by every replica.
   */
  readonly database: DatabaseSettings;
  /** Where this server is reached; with a trailing slash, its resource identifier and own audience. */
  readonly publicUrl: string;
  readonly resource: string;
  /** Expected `iss` of tokens (ISSUER, default ISSUER_URL). */
  readonly issuer: string;
  /** Where the issuer is reached. */
  readonly issuerUrl: string;
  /**
   * The authorization servers this server's RFC 9728 metadata names: ISSUER_URL, or with
   * ISSUER_DISCOVERY the issuer identifier itself, which clients discover the provider from.
   */
  readonly authorizationServers: readonly string[];
  /** ISSUER_DISCOVERY: the issuer is an outside IdP, known by its discovery metadata. */
  readonly issuerDiscovery: boolean;
  /**
   * Public keys: the issuer's JWKS at a known URL, or found from the issuer's discovery metadata
   * (ISSUER_DISCOVERY=true without JWKS_URL), or a pinned public.pem when PUBLIC_KEY_FILE is set.
   */
  readonly keys: { jwksUrl: string; cooldownMs: number } | { discoverFrom: string; cooldownMs: number } | { publicKeyFile: string };
  /**
   * ISSUER_URL/JWKS_URL/REVOCATIONS_URL values accepted over plain http in production because their host is named in
   * PRIVATE_HTTP_HOSTS; the server logs a warning naming them at startup.
   */
  readonly plainHttpTrusted: readonly string[];
  /** Accepted audiences: AUDIENCES (default the shared DEFAULT_AUDIENCE) and this server's resource. */
  readonly audiences: readonly string[];
  /** Claim name or dotted path holding the roles (ROLE_CLAIM). */
  readonly roleClaim: string;
  /**
   * Whether the policy's per-tool scopes are required of tokens (ENFORCE_TOOL_SCOPES, default on).
   * Off for an IdP whose tokens carry none of them (Entra app-role tokens carry no scope at all):
   * then the roles alone decide, tool by tool.
   */
  readonly enforceToolScopes: boolean;
  /** ROLE_MAP: IdP role/group values -> policy roles; checked against the policy at startup. */
  readonly roleMap: RoleMap | undefined;
  readonly clockToleranceSeconds: number;
  readonly policyFile: string;
  /** The issuer's revocation feed, polled in the background; undefined when off. */
  readonly revocations: { url: string; pollMs: number } | undefined;
}

/**
 * REVOCATIONS_URL: on by default beside this project's issuer's JWKS, at the same origin (the issuer
 * serves both; in compose that is the private http://issuer:8000, not the ISSUER_URL clients are
 * told). Only when named with a pinned PUBLIC_KEY_FILE (the article's setup may have no issuer to
 * poll) or with ISSUER_DISCOVERY (an outside IdP such as Keycloak or Entra has no such feed); `none`
 * turns it off. Plain http is judged by issuerHttpsRule with the other issuer URLs.
 */
function readRevocationFeed(env: EnvReader, keys: ResourceServerConfig['keys'], discovery: boolean) {
  const named = env.raw('REVOCATIONS_URL');
  const pollMs = env.int('REVOCATION_POLL_SECONDS', 5, { min: 1, max: 3600 }) * 1000;
  if (named === 'none' || ((discovery || 'publicKeyFile' in keys) && !named)) return undefined;
  const beside = 'jwksUrl' in keys ? new URL('/revocations', keys.jwksUrl).href : undefined;
  return { url: env.url('REVOCATIONS_URL', beside ?? '', { allowHttp: true }), pollMs };
}

/** ROLE_MAP, parsed; a mistake is a config problem naming it (the policy check comes at startup). */
function readRoleMap(env: EnvReader): RoleMap | undefined {
  const text = env.raw('ROLE_MAP');
  if (text === undefined) return undefined;
  try {
    return parseRoleMap(text);
  } catch (error) {
    env.problem(
      `ROLE_MAP ${(error as Error).message}: write idp-value=PolicyRole pairs separated by commas (hr-managers=Manager,staff=Employee), or a JSON object`,
    );
    return undefined;
  }
}

/**
 * The issuer settings. ISSUER (the expected `iss`) defaults to ISSUER_URL, so that in dev the
 * issuer's identifier is the URL it is reached at and RFC 8414 §3.3 discovery by issuer URL (the
 * MCP SDK's issuer check) lines up; the article's `https://dev-issuer.com` is one setting away.
 * With ISSUER_DISCOVERY the issuer is an outside IdP found from ISSUER's metadata.
 */
function readIssuer(env: EnvReader) {
  const discovery = env.bool('ISSUER_DISCOVERY', false);
  // Plain http is refused in production by issuerHttpsRule below, which knows PRIVATE_HTTP_HOSTS.
  const issuerUrl = env.url('ISSUER_URL', 'http://127.0.0.1:8000', { allowHttp: true });
  const named = env.raw('ISSUER');
  if (!discovery) return { discovery, issuer: named ?? issuerUrl, issuerUrl, authorizationServers: [issuerUrl] };
  // Discovery fetches ISSUER itself, so it must be a URL; it is compared with the metadata verbatim.
  const issuer = named ?? issuerUrl;
  if (named !== undefined) env.url('ISSUER', named, { allowHttp: true });
  if (named !== undefined && env.raw('ISSUER_URL') !== undefined && issuerUrl !== named.replace(/\/$/, ''))
    env.problem(
      `ISSUER_URL="${issuerUrl}" differs from ISSUER="${named}": with ISSUER_DISCOVERY=true the issuer is found from ISSUER, and clients are told ISSUER; leave ISSUER_URL unset`,
    );
  return { discovery, issuer, issuerUrl: issuer, authorizationServers: [issuer] };
}

export function readResourceServerConfig(env: EnvReader, defaults: { port: number; service: string }): ResourceServerConfig {
  const server = readServerConfig(env, defaults);
  const visibleHost = server.host === '0.0.0.0' || server.host === '::' ? 'localhost' : server.host;
  const publicUrl = env.url('PUBLIC_URL', `http://${visibleHost}:${server.port}`, { allowHttp: !server.production });
  const { discovery, issuer, issuerUrl, authorizationServers } = readIssuer(env);
  const publicKeyFile = env.raw('PUBLIC_KEY_FILE');
  if (publicKeyFile && !existsSync(publicKeyFile)) env.problem(`PUBLIC_KEY_FILE=${publicKeyFile} does not exist`);
  const policyFile = env.string('RBAC_POLICY_FILE', DEFAULT_POLICY_PATH);
  const resource = new URL(`${publicUrl}/`).href;
  const cooldownMs = env.int('JWKS_REFETCH_COOLDOWN_SECONDS', 10, { min: 0, max: 3600 }) * 1000;
  const keys: ResourceServerConfig['keys'] = publicKeyFile
    ? { publicKeyFile }
    : discovery && env.raw('JWKS_URL') === undefined
      ? { discoverFrom: issuer, cooldownMs }
      : { jwksUrl: env.url('JWKS_URL', `${issuerUrl}/.well-known/jwks.json`, { allowHttp: true }), cooldownMs };
  // AUDIENCES replaces the shared audience (an IdP's own: Keycloak's audience mapper value, Entra's
  // api://<app-id> and app id); this server's resource URL is always accepted, and aud always checked.
  const audiences = env.list('AUDIENCES', [env.string('DEFAULT_AUDIENCE', 'my-mcp-server')]);
  const config: Omit<ResourceServerConfig, 'plainHttpTrusted'> = {
    server,
    database: readDatabaseSettings(env, { service: defaults.service, sqlitePath: join(server.dataDir, `${defaults.service}.db`) }),
    publicUrl,
    resource,
    issuer,
    issuerUrl,
    authorizationServers,
    issuerDiscovery: discovery,
    keys,
    audiences: [...new Set([...audiences, resource])],
    roleClaim: env.string('ROLE_CLAIM', 'job_role'),
    enforceToolScopes: env.bool('ENFORCE_TOOL_SCOPES', true),
    roleMap: readRoleMap(env),
    clockToleranceSeconds: env.int('JWT_CLOCK_TOLERANCE_SECONDS', 30, { min: 0, max: 300 }),
    policyFile,
    revocations: readRevocationFeed(env, keys, discovery),
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
  config: Pick<ResourceServerConfig, 'issuerUrl' | 'issuerDiscovery' | 'keys' | 'revocations'>,
): string[] {
  const privateHosts = new Set(env.list('PRIVATE_HTTP_HOSTS', []).map((h) => h.toLowerCase()));
  const trusted: string[] = [];
  if (!production) return trusted;
  const urls = {
    [config.issuerDiscovery ? 'ISSUER' : 'ISSUER_URL']: config.issuerUrl,
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
