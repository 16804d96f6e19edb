/**
 * Pre-registered sign-in clients from OAUTH_CLIENTS_FILE: a JSON array of RFC 7591 client metadata
 * (client_id, redirect_uris, and for a confidential client client_secret and
 * token_endpoint_auth_method). The provider checks each entry fully at startup; this reads the file
 * and says plainly what is wrong with it.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '@mcp-auth/mcp-fastify';
import type { ClientMetadata } from 'oidc-provider';

export function readPreregisteredClients(file: string | undefined): ClientMetadata[] {
  if (!file) return [];
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`OAUTH_CLIENTS_FILE=${file} cannot be read as JSON: ${(error as Error).message}`]);
  }
  if (!Array.isArray(document))
    throw new ConfigError([
      `OAUTH_CLIENTS_FILE=${file} must hold a JSON array of client metadata objects ([{"client_id": ..., "redirect_uris": [...]}])`,
    ]);
  const problems = document.flatMap((entry, i) => {
    const c = entry as { client_id?: unknown; redirect_uris?: unknown };
    if (typeof entry !== 'object' || entry === null) return [`entry ${i} is not an object`];
    if (typeof c.client_id !== 'string' || c.client_id === '') return [`entry ${i} has no client_id`];
    if (!Array.isArray(c.redirect_uris) || c.redirect_uris.length === 0) return [`client ${c.client_id} has no redirect_uris`];
    return [];
  });
  if (problems.length) throw new ConfigError(problems.map((p) => `OAUTH_CLIENTS_FILE=${file}: ${p}`));
  return document as ClientMetadata[];
}
