import { createSigner } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { createTokenKeyedVerifier } from '../src/jwt/cached-verifier.js';

describe('token-keyed fast-jwt verifier', () => {
  it("holds back only fast-jwt's custom-cache-key warning, and puts process.emitWarning back", async () => {
    const original = process.emitWarning;
    const seen: string[] = [];
    const listener = (warning: Error & { code?: string }) => seen.push(warning.code ?? warning.name);
    process.on('warning', listener);
    try {
      const key = 'k'.repeat(32);
      const verify = createTokenKeyedVerifier({ key, algorithms: ['HS256'], cache: 10 });
      process.emitWarning('something else', { code: 'SOMETHING_ELSE' });
      await new Promise((resolve) => setTimeout(resolve, 10)); // warnings are emitted on a later tick
      expect(seen).toEqual(['SOMETHING_ELSE']);
      expect(process.emitWarning).toBe(original);
      // Two different tokens never share a cache entry: the key is the token itself.
      const sign = createSigner({ key, algorithm: 'HS256' });
      const a = sign({ sub: 'a' });
      const b = sign({ sub: 'b' });
      for (let i = 0; i < 2; i++) {
        expect((verify(a) as { sub: string }).sub).toBe('a');
        expect((verify(b) as { sub: string }).sub).toBe('b');
      }
    } finally {
      process.off('warning', listener);
    }
  });
});
