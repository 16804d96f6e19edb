/**
 * The issuer's signing keys at startup: in dev mode a fresh checkout gets a key pair generated into
 * MCP_AUTH_DIR; in production the keys must already exist (pnpm keys:generate), so a misconfigured
 * deployment fails loudly instead of silently minting keys nobody trusts.
 */
import { createKeyRing, hasKeyPair, KeyDirectoryError, type KeyRing, writeKeyPair } from '@mcp-auth/auth';
import { ConfigError } from '@mcp-auth/mcp-fastify';

export function openKeyRing(keyDir: string, production: boolean): { keys: KeyRing; generatedKid: string | undefined } {
  let generatedKid: string | undefined;
  if (!hasKeyPair(keyDir)) {
    if (production) throw new ConfigError([`No signing key in ${keyDir} (MCP_AUTH_DIR). Create one: pnpm keys:generate`]);
    generatedKid = writeKeyPair(keyDir);
  }
  try {
    return { keys: createKeyRing(keyDir), generatedKid };
  } catch (error) {
    if (error instanceof KeyDirectoryError) throw new ConfigError([error.message]);
    throw error;
  }
}
