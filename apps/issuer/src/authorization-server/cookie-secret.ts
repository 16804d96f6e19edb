/**
 * The key that signs the sign-in cookies (the provider's session and interaction cookies, the CSRF
 * tokens and known-device cookies of the sign-in pages). It lives beside the signing keys in
 * MCP_AUTH_DIR/cookie-secret (0600): a fresh dev checkout gets one generated; production refuses to
 * start without it (`pnpm keys:generate` writes it), since a key made up at each start would sign
 * everyone out at every restart and differ between replicas.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '@mcp-auth/auth';
import { ConfigError } from '@mcp-auth/mcp-fastify';

const MIN_LENGTH = 32;

export const cookieSecretPath = (keyDir: string) => join(keyDir, 'cookie-secret');

export function writeCookieSecret(keyDir: string): string {
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  writeAtomically(cookieSecretPath(keyDir), `${secret}\n`, 0o600);
  return secret;
}

export function openCookieSecret(keyDir: string, production: boolean): { secret: string; generated: boolean } {
  const path = cookieSecretPath(keyDir);
  if (!existsSync(path)) {
    if (production) throw new ConfigError([`No cookie secret in ${path} (MCP_AUTH_DIR). Create one: pnpm keys:generate --if-missing`]);
    return { secret: writeCookieSecret(keyDir), generated: true };
  }
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError([
      `The cookie secret ${path} cannot be read (${(error as NodeJS.ErrnoException).code}): make it readable for this user`,
    ]);
  }
  if (secret.length < MIN_LENGTH)
    throw new ConfigError([
      `The cookie secret ${path} is shorter than ${MIN_LENGTH} characters: replace it (pnpm keys:generate --force writes a new one)`,
    ]);
  return { secret, generated: false };
}
