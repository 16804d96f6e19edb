// The issuer's /token target is a ratio to what its core signs alone, measured in the same run: the
// measurement signs for real, and the verdict follows the ratio, not the machine's absolute speed.
import { describe, expect, it } from 'vitest';
import { judgeIssuerTokens, signingCeiling, TOKEN_TO_SIGNING_TARGET } from '../src/bench/signing-ceiling.js';
import { cpuPlacement } from '../src/deploy/cpu-placement.js';

describe('issuer /token against the bare signing rate', () => {
  it('judges the ratio: met at the target share of the signing rate, not below it', () => {
    expect(judgeIssuerTokens(1200, 1580)).toMatchObject({ result: '0.76x (1200 vs 1580)', met: true });
    expect(judgeIssuerTokens(2000, 3000)).toMatchObject({ result: '0.67x (2000 vs 3000)', met: false });
    expect(judgeIssuerTokens(TOKEN_TO_SIGNING_TARGET * 1000, 1000).met).toBe(true);
    expect(judgeIssuerTokens(1000, 1000).measure).toContain(`>= ${TOKEN_TO_SIGNING_TARGET}x`);
  });

  it('measures real RS256 signatures on the server core', async () => {
    const perSecond = await signingCeiling(cpuPlacement(), 8, 300);
    // A 2048-bit RSA signature takes a fraction of a millisecond to a few: hundreds to thousands a second.
    expect(perSecond).toBeGreaterThan(50);
    expect(perSecond).toBeLessThan(100_000);
  }, 30_000);
});
