/**
 * The issuer's signing keys: at startup, in dev mode a fresh checkout gets a key pair generated into
 * MCP_AUTH_DIR; in production the keys must already exist (pnpm keys:generate), so a misconfigured
 * deployment fails loudly instead of silently minting keys nobody trusts. A key folder that cannot be
 * used stops the start with one sentence naming the file. While running, the ring keeps the last good
 * key set when the folder breaks (rotation is by file changes, see key-directory.ts): the problem is
 * logged once and shown on /ready, and its end is logged too.
 */
import { createKeyRing, hasKeyPair, type KeyRing, writeKeyPair } from '@mcp-auth/auth';
import { type CheckResult, ConfigError, type Logger } from '@mcp-auth/mcp-fastify';

export function openKeyRing(
  keyDir: string,
  production: boolean,
  logger?: Pick<Logger, 'error' | 'info'>,
): { keys: KeyRing; generatedKid: string | undefined } {
  let generatedKid: string | undefined;
  if (!hasKeyPair(keyDir)) {
    if (production) throw new ConfigError([`No signing key in ${keyDir} (MCP_AUTH_DIR). Create one: pnpm keys:generate`]);
    generatedKid = writeKeyPair(keyDir);
  }
  // A KeyDirectoryError from the first load is one sentence naming the file; runMain prints it alone.
  const keys = createKeyRing(keyDir, {
    onReloadFailed: (error) =>
      logger?.error({ reason: error.message }, 'the key folder cannot be loaded: still signing with the last good keys until it is fixed'),
    onReloadRecovered: () => logger?.info({ keyDir }, 'the key folder loads again: its keys are in use'),
  });
  return { keys, generatedKid };
}

/** /ready: the issuer signs as long as it holds a key, so a broken folder is a warning, not "not ready". */
export function signingKeysCheck(keys: Pick<KeyRing, 'status'>): () => CheckResult {
  return () => {
    const { kid, published, problem } = keys.status();
    if (!problem) return { ok: true, kid, published };
    return {
      ok: true,
      kid,
      published,
      warning: `${problem.reason} (since ${problem.since.toISOString()}): signing and publishing the last good keys; a restart would fail until it is fixed`,
    };
  };
}
