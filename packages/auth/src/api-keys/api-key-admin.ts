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

/** A new key and its record, checked and not yet stored. */
function newApiKey(options: CreateApiKeyOptions): CreatedApiKey {
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
  return { key, record };
}

export async function createApiKey(store: ApiKeyStore, options: CreateApiKeyOptions): Promise<CreatedApiKey> {
  const created = newApiKey(options);
  await store.insert(created.record);
  return created;
}

/**
 * Creates a key only if the store holds none (dev mode's demo key); undefined when it holds some.
 * Of several processes that try at once on one database, exactly one creates it.
 */
export async function createFirstApiKey(store: ApiKeyStore, options: CreateApiKeyOptions): Promise<CreatedApiKey | undefined> {
  const created = newApiKey(options);
  return (await store.insertIfEmpty(created.record)) ? created : undefined;
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

/**
 * Issues a new key with the same name and makes the old one expire after the overlap, in one
 * transaction: a key is rotated once (two operators rotating it together get one new key and one
 * refusal), and a failure leaves neither half.
 */
export async function rotateApiKey(
  store: ApiKeyStore,
  id: string,
  options: RotateApiKeyOptions,
): Promise<{
  created: CreatedApiKey;
  old: ApiKeyRecord;
}> {
  await requireKey(store, id); // the id's form and a clear "no such key" before any write
  if (!(options.overlapMs >= 0)) throw new ApiKeyAdminError('The overlap must be zero or more');
  const now = options.now ?? new Date();
  const { created } = await store.rotate(id, (old, successor) => {
    if (!old) throw new ApiKeyAdminError(`No key with id ${id}`);
    if (old.revokedAt) throw new ApiKeyAdminError(`Key ${id} is revoked; create a new key instead`);
    if (old.expiresAt && old.expiresAt <= now) throw new ApiKeyAdminError(`Key ${id} has expired; create a new key instead`);
    if (successor) throw new ApiKeyAdminError(`Key ${id} was already rotated: its replacement is ${successor}; rotate that one instead`);
    const originalTtl = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : undefined;
    const created = newApiKey({ name: old.name, ttlMs: options.ttlMs ?? originalTtl, rotatedFrom: old.id, now });
    const overlapEnd = new Date(now.getTime() + options.overlapMs);
    // Only ever shorten: a rotation must not extend a key that was due to expire sooner.
    return { created, next: created.record, oldExpiresAt: !old.expiresAt || overlapEnd < old.expiresAt ? overlapEnd : null };
  });
  return { created, old: await requireKey(store, id) };
}

export type ApiKeyStatus = 'active' | 'expired' | 'revoked';

export function apiKeyStatus(record: ApiKeyRecord, now = new Date()): ApiKeyStatus {
  if (record.revokedAt && record.revokedAt <= now) return 'revoked';
  if (record.expiresAt && record.expiresAt <= now) return 'expired';
  return 'active';
}
