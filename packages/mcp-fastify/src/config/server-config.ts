/**
 * The settings every MCP server here shares, read from the environment: where to listen, where data
 * lives, which Host and Origin headers to accept, logging and limits.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
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
  /** TRUST_PROXY: addresses or CIDRs of the proxies whose X-Forwarded-For is believed; empty: none. */
  readonly trustProxy: readonly string[];
  /** Most messages one JSON-RPC batch may carry (batches exist only before MCP 2025-06-18). */
  readonly maxBatchMessages: number;
  readonly sessionIdleTimeoutMs: number;
  /** Sessions one principal may hold; opening one more closes its least recently used. */
  readonly sessionMaxPerPrincipal: number;
  /** Sessions in the whole process; past it `initialize` gets 503 with Retry-After. */
  readonly sessionMaxTotal: number;
  /** On SIGTERM/SIGINT, how long calls still running may take before they are answered with an error. */
  readonly shutdownDrainMs: number;
  /** Benchmark baseline only: serve MCP without authentication. Refused in production. */
  readonly insecureDisableAuth: boolean;
  /** Failed authentications one client address may make per minute before it gets 429s. */
  readonly authFailuresPerMinute: number;
  /**
   * REDIS_URL: rate limits and failed-authentication counts shared by every replica (see
   * shared-state/window-counter.ts); unset, each process counts alone.
   */
  readonly redisUrl: string | undefined;
  /** PEM certificate and key files: when set, the server speaks HTTPS. */
  readonly tls: { certFile: string; keyFile: string } | undefined;
}

const LOOPBACK_BIND = new Set(['127.0.0.1', 'localhost', '::1']);

const TRUST_PROXY_EXAMPLE = 'TRUST_PROXY=10.0.0.5, or a CIDR such as TRUST_PROXY=172.16.0.0/12 (comma-separated for several)';
// proxy-addr's names for ranges (Fastify passes them on): 127.0.0.0/8 and ::1, 169.254.0.0/16 and
// fe80::/10, the private ranges 10/8, 172.16/12, 192.168/16 and fc00::/7.
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY names the proxies in front of the server, by address or CIDR. Only a request that comes
 * from one of them has its X-Forwarded-For read, from the right, up to the first address that is not
 * a named proxy: the client's. `true` (trust every sender) would let each client write the address its
 * failed authentications are counted under, and a hop count cannot tell the proxy from a client that
 * connects directly (Fastify 5 ignores hop counts for that reason): both are refused.
 */
/** REDIS_URL, checked at startup; a value that is not a Redis URL is a problem said without the value (it may hold a password). */
function readRedisUrl(env: EnvReader): string | undefined {
  const value = env.raw('REDIS_URL');
  if (value === undefined || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    env.problem('REDIS_URL is not a redis:// or rediss:// URL with a host, e.g. redis://:password@redis.internal:6379/0');
    return undefined;
  }
  return value;
}

function readTrustProxy(env: EnvReader): readonly string[] {
  const text = env.raw('TRUST_PROXY');
  if (text === undefined || ['0', 'false', 'no', 'off'].includes(text.toLowerCase())) return [];
  if (['true', 'yes', 'on'].includes(text.toLowerCase())) {
    env.problem(
      `TRUST_PROXY=${text} would believe the X-Forwarded-For header of any client, so every client could choose the address its failed authentications are counted under; name the proxy in front instead, by address: ${TRUST_PROXY_EXAMPLE}`,
    );
    return [];
  }
  if (/^\d+$/.test(text)) {
    env.problem(
      `TRUST_PROXY=${text} looks like a hop count${text === '1' ? ' (or "true")' : ''}, which cannot tell the proxy from a client that connects directly; name the proxy in front instead, by address: ${TRUST_PROXY_EXAMPLE}`,
    );
    return [];
  }
  const entries = env.list('TRUST_PROXY', []);
  for (const entry of entries) {
    if (PROXY_RANGE_NAMES.has(entry)) continue;
    const slash = entry.indexOf('/');
    const version = isIP(slash === -1 ? entry : entry.slice(0, slash));
    const bits = slash === -1 ? undefined : entry.slice(slash + 1);
    const maxBits = version === 6 ? 128 : 32;
    if (version === 0) {
      env.problem(`TRUST_PROXY entry "${entry}" is not an IP address or CIDR; write ${TRUST_PROXY_EXAMPLE}`);
    } else if (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > maxBits)) {
      env.problem(`TRUST_PROXY entry "${entry}" has an invalid prefix length (/1 to /${maxBits}); write ${TRUST_PROXY_EXAMPLE}`);
    } else if (bits !== undefined && Number(bits) === 0) {
      env.problem(
        `TRUST_PROXY entry "${entry}" covers every address, which is the same as trusting any client; name the proxy: ${TRUST_PROXY_EXAMPLE}`,
      );
    }
  }
  return entries;
}

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
  const sessionMaxPerPrincipal = env.int('SESSION_MAX_PER_PRINCIPAL', 100, { min: 1, max: 1_000_000 });
  const sessionMaxTotal = env.int('SESSION_MAX_TOTAL', 10_000, { min: 1, max: 1_000_000 });
  if (sessionMaxPerPrincipal > sessionMaxTotal) {
    env.problem(
      `SESSION_MAX_PER_PRINCIPAL=${sessionMaxPerPrincipal} is more than SESSION_MAX_TOTAL=${sessionMaxTotal}: one principal could fill the server`,
    );
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
    trustProxy: readTrustProxy(env),
    maxBatchMessages: env.int('MAX_BATCH_MESSAGES', 100, { min: 1, max: 10_000 }),
    sessionIdleTimeoutMs: env.int('SESSION_IDLE_TIMEOUT_SECONDS', 1800, { min: 10, max: 86_400 }) * 1000,
    sessionMaxPerPrincipal,
    sessionMaxTotal,
    shutdownDrainMs: env.int('SHUTDOWN_DRAIN_SECONDS', 10, { min: 0, max: 3600 }) * 1000,
    insecureDisableAuth,
    authFailuresPerMinute: env.int('AUTH_FAILURES_PER_MINUTE', 120, { min: 1, max: 1_000_000 }),
    redisUrl: readRedisUrl(env),
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
  };
}
