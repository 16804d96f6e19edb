/**
 * Client secrets: `mcps_` + 32 random bytes in base64url. Only SHA-256 over client id and secret is
 * stored (a fast hash suits high-entropy secrets; see api-keys/key-format.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const CLIENT_SECRET_PREFIX = 'mcps_';

export function generateClientSecret(): string {
  return `${CLIENT_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashClientSecret(clientId: string, secret: string): Buffer {
  return createHash('sha256').update(clientId).update(':').update(secret).digest();
}

/** Constant-time equality of two SHA-256 digests. */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isValidClientId(clientId: string): boolean {
  return CLIENT_ID.test(clientId);
}
