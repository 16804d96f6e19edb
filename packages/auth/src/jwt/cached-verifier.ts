/**
 * fast-jwt verifiers that cache verified tokens keyed by the token itself. fast-jwt's default cache key
 * is a SHA-256 of the token, which cost more than the rest of a cached verification; the token is a
 * fine key (1,000 entries of a few hundred bytes) and, being the whole token, cannot collide.
 *
 * fast-jwt warns about any custom `cacheKeyBuilder` (GHSA-rp9m-7r4c-75qg: builders that map different
 * tokens to one key let one token's result stand for another). That risk does not exist for the
 * identity, so the warning is held back for this one construction, and only that warning: operators
 * should not be told of a risk their server does not have.
 */
import { createVerifier, type VerifierOptions } from 'fast-jwt';

const CUSTOM_CACHE_KEY_WARNING = 'FAST_JWT_CACHE_KEY_BUILDER_SECURITY_RISK';

export function createTokenKeyedVerifier(options: Omit<Partial<VerifierOptions>, 'cacheKeyBuilder'> & { key: string }) {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = (rest[0] as { code?: string } | undefined)?.code;
    if (code === CUSTOM_CACHE_KEY_WARNING) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return createVerifier({ ...options, cacheKeyBuilder: (token: string) => token });
  } finally {
    process.emitWarning = emitWarning;
  }
}
