/**
 * The issuer's /token target as a ratio measured in the same run: its tokens per second against the
 * RS256 signatures per second that the core it runs on makes with nothing else to do (the signing
 * the issuer does, the same key size, as many at once as the load keeps open). An absolute rate would
 * judge the machine: one core here signed about 1,580 a second, another machine's about 3,000.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Placement, placedCommand } from '../deploy/cpu-placement.js';

/** /token must keep at least this share of the bare signing rate (the rest is HTTP, client authentication, JSON). */
export const TOKEN_TO_SIGNING_TARGET = 0.75;

export async function signingCeiling(placement: Placement, connections: number, ms = 3000): Promise<number> {
  const { file, args } = placedCommand(placement, 'server', process.execPath, [
    join(import.meta.dirname, 'rs256-signing-rate.mjs'),
    String(ms),
    String(connections),
  ]);
  const { stdout } = await promisify(execFile)(file, args, { timeout: ms + 30_000 });
  const { perSecond } = JSON.parse(stdout) as { perSecond: number };
  if (!(perSecond > 0)) throw new Error(`the RS256 signing rate came out as ${stdout}`);
  return perSecond;
}

/** The issuer's row: tokens/s over the bare signing rate, against TOKEN_TO_SIGNING_TARGET. */
export function judgeIssuerTokens(tokensPerSecond: number, signaturesPerSecond: number) {
  const ratio = tokensPerSecond / signaturesPerSecond;
  return {
    measure: `/token tokens per second vs RS256 signatures per second of its core alone (>= ${TOKEN_TO_SIGNING_TARGET}x)`,
    result: `${ratio.toFixed(2)}x (${tokensPerSecond} vs ${signaturesPerSecond})`,
    met: ratio >= TOKEN_TO_SIGNING_TARGET,
  };
}
