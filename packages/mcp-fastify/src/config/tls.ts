/** Reads the TLS certificate and key named by the config, for Fastify's `https` option. */
import { readFileSync } from 'node:fs';
import type { ServerConfig } from './server-config.js';

export function tlsOptions(server: Pick<ServerConfig, 'tls'>): { cert: string; key: string } | undefined {
  if (!server.tls) return undefined;
  return { cert: readFileSync(server.tls.certFile, 'utf8'), key: readFileSync(server.tls.keyFile, 'utf8') };
}
