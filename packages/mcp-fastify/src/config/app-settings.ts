/**
 * The part of an app's options that comes straight from the shared server settings, in one place, so
 * a new server-wide setting is wired once rather than in every app.
 */
import type { McpAppOptions } from '../app/create-mcp-app.js';
import type { HttpAppOptions } from '../http/create-http-app.js';
import type { ServerConfig } from './server-config.js';
import { tlsOptions } from './tls.js';

export type HttpSettings = Pick<HttpAppOptions, 'origin' | 'bodyLimitBytes' | 'trustProxy' | 'https' | 'redisUrl'>;
export type McpSettings = HttpSettings & Pick<McpAppOptions, 'sessions' | 'authDisabled' | 'authFailuresPerMinute' | 'maxBatchMessages'>;

export function httpSettings(server: ServerConfig): HttpSettings {
  return {
    origin: { allowedHosts: server.allowedHosts, allowedOrigins: server.allowedOrigins },
    bodyLimitBytes: server.bodyLimitBytes,
    trustProxy: server.trustProxy,
    https: tlsOptions(server),
    redisUrl: server.redisUrl,
  };
}

export function mcpSettings(server: ServerConfig): McpSettings {
  return {
    ...httpSettings(server),
    sessions: {
      idleTimeoutMs: server.sessionIdleTimeoutMs,
      maxPerPrincipal: server.sessionMaxPerPrincipal,
      maxTotal: server.sessionMaxTotal,
    },
    authDisabled: server.insecureDisableAuth,
    authFailuresPerMinute: server.authFailuresPerMinute,
    maxBatchMessages: server.maxBatchMessages,
  };
}
