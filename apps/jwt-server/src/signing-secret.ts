/**
 * Where the HS256 signing secret comes from: JWT_SECRET, or a file named by JWT_SECRET_FILE (Docker
 * and Kubernetes secrets). In dev mode with neither, one is generated into DATA_DIR (mode 0600) on
 * first start and reused after. In production a missing, default or weak secret stops the server.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSecret, weakSecretReason } from '@mcp-auth/auth';
import { ConfigError } from '@mcp-auth/mcp-fastify';
import type { JwtServerConfig } from './config.js';

export function loadSigningSecret(config: JwtServerConfig): { secret: string; generated: boolean } {
  const { value, file, devFile } = config.secretSource;
  let secret = value;
  let origin = 'JWT_SECRET';
  if (!secret && file) {
    if (!existsSync(file)) throw new ConfigError([`JWT_SECRET_FILE=${file} does not exist`]);
    secret = readFileSync(file, 'utf8').trim();
    origin = `JWT_SECRET_FILE (${file})`;
  }
  if (!secret) {
    if (config.server.production) {
      throw new ConfigError([
        'JWT_SECRET (or JWT_SECRET_FILE) is required with NODE_ENV=production. Generate one: openssl rand -base64 32',
      ]);
    }
    if (existsSync(devFile)) return { secret: readFileSync(devFile, 'utf8').trim(), generated: false };
    const fresh = generateSecret();
    try {
      mkdirSync(dirname(devFile), { recursive: true });
      writeFileSync(devFile, `${fresh}\n`, { mode: 0o600 });
      chmodSync(devFile, 0o600);
    } catch (error) {
      // A read-only or full DATA_DIR: say which file and what to do, not a stack trace.
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new ConfigError([`Cannot save the dev signing secret to ${devFile} (${reason}): make DATA_DIR writable, or set JWT_SECRET`]);
    }
    return { secret: fresh, generated: true };
  }
  const weakness = weakSecretReason(secret);
  if (weakness) {
    const message = `${origin} is unfit to sign tokens: ${weakness}. Generate one: openssl rand -base64 32`;
    if (config.server.production) throw new ConfigError([message]);
    process.stderr.write(`jwt-server: warning: ${message} (allowed only because NODE_ENV is not production)\n`);
  }
  return { secret, generated: false };
}
