/**
 * What an operator does with keys: create, list, revoke, rotate. Used by the `keys` command and by
 * dev-mode bootstrap. Returns plaintext keys exactly once, at creation; nothing can show them again.
 */
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';
import { generateApiKey, isApiKeyId } from './key-format.js';

export class ApiKeyAdminError extends Error {
  override readonly name = 'ApiKeyAdminError';
}

export interface CreatedApiKey {
  /** The full key. Show it once; it cannot be recovered. */
  readonly key: string;
  readonly record: ApiKeyRecord;
}

export interface CreateApiKeyOptions {
  name: string;
  /** Lifetime in milliseconds; omitted means the key does not expire. */
  ttlMs?: number | undefined;
  rotatedFrom?: string | undefined;
  now?: Date;
}

export async function createApiKey(store: ApiKeyStore, options: CreateApiKeyOptions): Promise<CreatedApiKey> {
  const name = options.name.trim();
  if (!name || name.length > 100) throw new ApiKeyAdminError('A key name must be 1-100 characters');
  if (options.ttlMs !== undefined && !(options.ttlMs > 0)) {
    throw new ApiKeyAdminError('A key lifetime must be positive');
  }
  const now = options.now ?? new Date();
  const { key, id, secretHash } = generateApiKey();
  const record: ApiKeyRecord = {
    id,
    name,
    secretHash,
    createdAt: now,
    expiresAt: options.ttlMs === undefined ? null : new Date(now.getTime() + options.ttlMs),
    revokedAt: null,
    lastUsedAt: null,
    rotatedFrom: options.rotatedFrom ?? null,
  };
  await store.insert(record);
  return { key, record };
}

async function requireKey(store: ApiKeyStore, id: string): Promise<ApiKeyRecord> {
  if (!isApiKeyId(id)) throw new ApiKeyAdminError(`"${id}" is not a key id (16 characters, a-z and 0-9)`);
  const record = await store.findById(id);
  if (!record) throw new ApiKeyAdminError(`No key with id ${id}`);
  return record;
}

export async function revokeApiKey(store: ApiKeyStore, id: string, now = new Date()): Promise<ApiKeyRecord> {
  const record = await requireKey(store, id);
  if (record.revokedAt) throw new ApiKeyAdminError(`Key ${id} was already revoked at ${record.revokedAt.toISOString()}`);
  await store.revoke(id, now);
  return requireKey(store, id);
}

export interface RotateApiKeyOptions {
  /** How long the old key keeps working after the new one is issued. */
  overlapMs: number;
  /** Lifetime of the new key; defaults to the old key's original lifetime, or none. */
  ttlMs?: number | undefined;
  now?: Date;
}

/** Issues a new key with the same name and makes the old one expire after the overlap. */
export async function rotateApiKey(
  store: ApiKeyStore,
  id: string,
  options: RotateApiKeyOptions,
): Promise<{
  created: CreatedApiKey;
  old: ApiKeyRecord;
}> {
  const old = await requireKey(store, id);
  const now = options.now ?? new Date();
  if (old.revokedAt) throw new ApiKeyAdminError(`Key ${id} is revoked; create a new key instead`);
  if (old.expiresAt && old.expiresAt <= now) throw new ApiKeyAdminError(`Key ${id} has expired; create a new key instead`);
  if (!(options.overlapMs >= 0)) throw new ApiKeyAdminError('The overlap must be zero or more');
  const originalTtl = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : undefined;
  const created = await createApiKey(store, {
    name: old.name,
    ttlMs: options.ttlMs ?? originalTtl,
    rotatedFrom: old.id,
    now,
  });
  const overlapEnd = new Date(now.getTime() + options.overlapMs);
  // Only ever shorten: a rotation must not extend a key that was due to expire sooner.
  if (!old.expiresAt || overlapEnd < old.expiresAt) await store.setExpiry(old.id, overlapEnd);
  return { created, old: await requireKey(store, id) };
}

export type ApiKeyStatus = 'active' | 'expired' | 'revoked';

export function apiKeyStatus(record: ApiKeyRecord, now = new Date()): ApiKeyStatus {
  if (record.revokedAt && record.revokedAt <= now) return 'revoked';
  if (record.expiresAt && record.expiresAt <= now) return 'expired';
  return 'active';
}
