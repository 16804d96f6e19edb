/**
 * HS256 secrets: anyone holding one token can try guesses offline, so a secret must be long and
 * random. These checks refuse the obvious failures (RFC 7518 §3.2 asks for at least 256 bits).
 */
import { randomBytes } from 'node:crypto';

/** Secrets seen in tutorials, including the reference article's. Refused outright. */
export const KNOWN_WEAK_SECRETS: readonly string[] = [
  'my_super_secret_key', // refused: the reference article's HS256 secret
  'secret',
  'secretkey',
  'secret_1234', // refused: the reference article's client secret
  'supersecret',
  'changeme',
  'change-me',
  'change_me',
  'your-256-bit-secret',
  'your_jwt_secret',
  'jwt_secret',
  'jwtsecret',
  'password',
  'development',
];

export const MIN_SECRET_BYTES = 32;

/** Why `secret` is unfit for signing tokens, or undefined when it is acceptable. */
export function weakSecretReason(secret: string): string | undefined {
  const lower = secret.trim().toLowerCase();
  if (KNOWN_WEAK_SECRETS.some((weak) => lower.includes(weak) && lower.length < weak.length + MIN_SECRET_BYTES)) {
    return 'it is a well-known example secret';
  }
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) return `it is ${bytes} bytes long; use at least ${MIN_SECRET_BYTES} random bytes`;
  if (new Set(secret).size < 12) return 'it repeats too few distinct characters to be random';
  return undefined;
}

/** 32 random bytes, base64url: 43 characters, 256 bits. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
