/**
 * The shape of an API key: `mcpk_<id>_<secret>`.
 * - `mcpk_` makes a leaked key recognisable to secret scanners and humans.
 * - `<id>` (16 lower-case base-36 characters) is public: it names the key in lists, logs and
 *   revocations, and is how the store finds the key without comparing secrets.
 * - `<secret>` is 32 random bytes (256 bits) in base64url. Only its SHA-256 is ever stored.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';

export const API_KEY_PREFIX = 'mcpk_';
const ID_LENGTH = 16;
const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = /^mcpk_([0-9a-z]{16})_([A-Za-z0-9_-]{43})$/;
const ID_PATTERN = /^[0-9a-z]{16}$/;

export interface ParsedApiKey {
  readonly id: string;
  readonly secret: string;
}

export function generateApiKey(): { key: string; id: string; secretHash: Buffer } {
  let id = '';
  for (let i = 0; i < ID_LENGTH; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  const secret = randomBytes(32).toString('base64url');
  return { key: `${API_KEY_PREFIX}${id}_${secret}`, id, secretHash: hashApiKeySecret(id, secret) };
}

/** Splits a presented key into id and secret, or returns undefined when it is not shaped like one. */
export function parseApiKey(key: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(key);
  if (!match) return undefined;
  return { id: match[1] as string, secret: match[2] as string };
}

export function isApiKeyId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/**
 * SHA-256 over id and secret. A fast hash is the right tool for 256-bit random secrets (as GitHub and
 * Stripe do): nobody can brute-force the input, and a slow password hash would cost every request.
 */
export function hashApiKeySecret(id: string, secret: string): Buffer {
  return createHash('sha256').update(id).update(':').update(secret).digest();
}
