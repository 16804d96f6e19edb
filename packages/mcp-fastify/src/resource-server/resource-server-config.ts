/**
 * Settings of method 3's resource servers (hr-server, project-server, crm-server), which trust the
 * issuer's RS256 tokens and enforce the RBAC policy. Every problem is reported at once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY_PATH } from '@mcp-auth/auth';
import type { EnvReader } from '../config/env-reader.js';
import { readServerConfig, type ServerConfig } from '../config/server-config.js';

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
  /** Accepted audiences: the shared one and this server's resource. */
  readonly audiences: readonly string[];
  readonly roleClaim: string;
  readonly clockToleranceSeconds: number;
  readonly policyFile: string;
  /** The issuer's revocation feed, polled in the background; undefined when off. */
  readonly revocations: { url: string; pollMs: number } | undefined;
}

/**
 * REVOCATIONS_URL: on by default beside the issuer's JWKS; with a pinned PUBLIC_KEY_FILE only when
 * named (the article's setup may have no issuer to poll); `none` turns it off.
 */
function readRevocationFeed(env: EnvReader, issuerUrl: string, pinnedKey: boolean, production: boolean) {
  const named = env.raw('REVOCATIONS_URL');
  const pollMs = env.int('REVOCATION_POLL_SECONDS', 5, { min: 1, max: 3600 }) * 1000;
  if (named === 'none' || (pinnedKey && !named)) return undefined;
  return { url: env.url('REVOCATIONS_URL', `${issuerUrl}/revocations`, { allowHttp: !production }), pollMs };
}

export function readResourceServerConfig(env: EnvReader, defaults: { port: number; dbFile: string }): ResourceServerConfig {
  const server = readServerConfig(env, defaults);
  const visibleHost = server.host === '0.0.0.0' || server.host === '::' ? 'localhost' : server.host;
  const publicUrl = env.url('PUBLIC_URL', `http://${visibleHost}:${server.port}`, { allowHttp: !server.production });
  const issuerUrl = env.url('ISSUER_URL', 'http://127.0.0.1:8000', { allowHttp: !server.production });
  const publicKeyFile = env.raw('PUBLIC_KEY_FILE');
  if (publicKeyFile && !existsSync(publicKeyFile)) env.problem(`PUBLIC_KEY_FILE=${publicKeyFile} does not exist`);
  const policyFile = env.string('RBAC_POLICY_FILE', DEFAULT_POLICY_PATH);
  const resource = new URL(`${publicUrl}/`).href;
  return {
    server,
    dbPath: join(server.dataDir, defaults.dbFile),
    publicUrl,
    resource,
    issuer: env.string('ISSUER', 'https://dev-issuer.com'),
    issuerUrl,
    keys: publicKeyFile
      ? { publicKeyFile }
      : {
          jwksUrl: env.url('JWKS_URL', `${issuerUrl}/.well-known/jwks.json`, { allowHttp: !server.production }),
          cooldownMs: env.int('JWKS_REFETCH_COOLDOWN_SECONDS', 10, { min: 0, max: 3600 }) * 1000,
        },
    audiences: [env.string('DEFAULT_AUDIENCE', 'my-mcp-server'), resource],
    roleClaim: env.string('ROLE_CLAIM', 'job_role'),
    clockToleranceSeconds: env.int('JWT_CLOCK_TOLERANCE_SECONDS', 30, { min: 0, max: 300 }),
    policyFile,
    revocations: readRevocationFeed(env, issuerUrl, Boolean(publicKeyFile), server.production),
  };
}
