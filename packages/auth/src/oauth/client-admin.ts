/**
 * What an operator does with OAuth clients: create, list, revoke, rotate the secret. Plaintext secrets
 * are returned once, at creation or rotation.
 */

import { generateClientSecret, hashClientSecret, isValidClientId } from './client-secret.js';
import type { OAuthClientRecord, OAuthClientStore } from './client-store.js';

export class ClientAdminError extends Error {
  override readonly name = 'ClientAdminError';
}

export interface CreateClientOptions {
  clientId: string;
  name?: string;
  scopes: readonly string[];
  subject?: string;
  role?: string | null;
  claims?: Record<string, string>;
  now?: Date;
}

export async function createClient(
  store: OAuthClientStore,
  options: CreateClientOptions,
): Promise<{ secret: string; record: OAuthClientRecord }> {
  if (!isValidClientId(options.clientId)) {
    throw new ClientAdminError(`"${options.clientId}" is not a valid client id (1-64 characters: letters, digits, . _ -)`);
  }
  const secret = generateClientSecret();
  const record: OAuthClientRecord = {
    clientId: options.clientId,
    name: options.name ?? options.clientId,
    secretHash: hashClientSecret(options.clientId, secret),
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    scopes: [...options.scopes],
    subject: options.subject ?? options.clientId,
    role: options.role ?? null,
    claims: { ...options.claims },
    createdAt: options.now ?? new Date(),
    revokedAt: null,
    lastUsedAt: null,
  };
  if (!(await store.insert(record))) throw new ClientAdminError(`Client ${options.clientId} already exists`);
  return { secret, record };
}

async function requireClient(store: OAuthClientStore, clientId: string): Promise<OAuthClientRecord> {
  const record = await store.findById(clientId);
  if (!record) throw new ClientAdminError(`No client with id ${clientId}`);
  return record;
}

export async function revokeClient(store: OAuthClientStore, clientId: string, now = new Date()): Promise<OAuthClientRecord> {
  const record = await requireClient(store, clientId);
  if (record.revokedAt) throw new ClientAdminError(`Client ${clientId} was already revoked at ${record.revokedAt.toISOString()}`);
  await store.revoke(clientId, now);
  return requireClient(store, clientId);
}

/** A new secret now; the current one keeps working for `overlapMs`. */
export async function rotateClientSecret(store: OAuthClientStore, clientId: string, options: { overlapMs: number; now?: Date }) {
  const record = await requireClient(store, clientId);
  if (record.revokedAt) throw new ClientAdminError(`Client ${clientId} is revoked`);
  const now = options.now ?? new Date();
  const secret = generateClientSecret();
  const previous = options.overlapMs > 0 ? { hash: record.secretHash, expiresAt: new Date(now.getTime() + options.overlapMs) } : null;
  await store.replaceSecret(clientId, hashClientSecret(clientId, secret), previous);
  return { secret, record: await requireClient(store, clientId) };
}
