/**
 * The settings every MCP server here shares, read from the environment: where to listen, where data
 * lives, which Host and Origin headers to accept, logging and limits.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOOPBACK_HOSTS } from '../http/origin-guard.js';
import type { EnvReader } from './env-reader.js';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly production: boolean;
  readonly logLevel: string;
  readonly allowedHosts: 'any' | readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly bodyLimitBytes: number;
  /** Most messages one JSON-RPC batch may carry (batches exist only before MCP 2025-06-18). */
  readonly maxBatchMessages: number;
  readonly trustProxy: boolean;
  readonly sessionIdleTimeoutMs: number;
  /** Benchmark baseline only: serve MCP without authentication. Refused in production. */
  readonly insecureDisableAuth: boolean;
  /** Failed authentications one client address may make per minute before it gets 429s. */
  readonly authFailuresPerMinute: number;
  /** PEM certificate and key files: when set, the server speaks HTTPS. */
  readonly tls: { certFile: string; keyFile: string } | undefined;
}

const LOOPBACK_BIND = new Set(['127.0.0.1', 'localhost', '::1']);

export function readServerConfig(env: EnvReader, defaults: { port: number }): ServerConfig {
  const host = env.string('HOST', '127.0.0.1');
  const hostsSetting = env.list('ALLOWED_HOSTS', []);
  // Bound to loopback, only loopback names are legitimate; bound wider (containers), the operator
  // names the hosts, or any Host is accepted and Origin checks still stop browsers.
  const allowedHosts: ServerConfig['allowedHosts'] = hostsSetting.includes('*')
    ? 'any'
    : hostsSetting.length > 0
      ? [...LOOPBACK_HOSTS, ...hostsSetting]
      : LOOPBACK_BIND.has(host)
        ? LOOPBACK_HOSTS
        : 'any';
  const production = env.raw('NODE_ENV') === 'production';
  const insecureDisableAuth = env.bool('INSECURE_DISABLE_AUTH', false);
  if (insecureDisableAuth && production)
    env.problem('INSECURE_DISABLE_AUTH=true is refused with NODE_ENV=production: it serves every tool to anyone');
  const certFile = env.raw('TLS_CERT_FILE');
  const keyFile = env.raw('TLS_KEY_FILE');
  if (Boolean(certFile) !== Boolean(keyFile)) env.problem('TLS_CERT_FILE and TLS_KEY_FILE go together: set both for HTTPS, or neither');
  for (const [name, file] of [
    ['TLS_CERT_FILE', certFile],
    ['TLS_KEY_FILE', keyFile],
  ] as const) {
    if (file && !existsSync(file)) env.problem(`${name}=${file} does not exist`);
  }
  return {
    host,
    port: env.int('PORT', defaults.port, { min: 0, max: 65535 }),
    dataDir: resolve(env.string('DATA_DIR', 'data')),
    production,
    logLevel: env.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    allowedHosts,
    allowedOrigins: env.list('ALLOWED_ORIGINS', []),
    bodyLimitBytes: env.int('MAX_BODY_BYTES', 1_048_576, { min: 1024, max: 64 * 1_048_576 }),
    maxBatchMessages: env.int('MAX_BATCH_MESSAGES', 100, { min: 1, max: 10_000 }),
    trustProxy: env.bool('TRUST_PROXY', false),
    sessionIdleTimeoutMs: env.int('SESSION_IDLE_TIMEOUT_SECONDS', 1800, { min: 10, max: 86_400 }) * 1000,
    insecureDisableAuth,
    authFailuresPerMinute: env.int('AUTH_FAILURES_PER_MINUTE', 120, { min: 1, max: 1_000_000 }),
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
  };
}
