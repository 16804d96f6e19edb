/**
 * The cost of auth as a reader may quote it: from rounds that alternate a server with its auth-off
 * twin, the ratio of each round (ours / twin, req/s), their median and their spread. On a small machine
 * shared with the load generator one run moves by 10-40%, so a difference the rounds themselves do not
 * agree on is reported as "within noise", never as a percentage.
 */

export interface RatioSpread {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function spreadOf(ratios: readonly number[]): RatioSpread | undefined {
  if (ratios.length === 0) return undefined;
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), rounds: ratios.length };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const times = (x: number) => `${x.toFixed(2)}x`;

/**
 * The "throughput cost of auth" cell. Within noise when the rounds straddle no cost (one round at or
 * above 1x and one at or below), or when there is one round only (no spread to judge by); otherwise the
 * median cost with the range of the rounds.
 */
export function costOfAuth(spread: RatioSpread | undefined): string {
  if (!spread) return 'n/a (no auth-off twin)';
  const range = `rounds ${times(spread.min)}-${times(spread.max)}`;
  if (spread.rounds < 2) return `not judged: one round only (${times(spread.median)}); run with more ROUNDS`;
  if (spread.min <= 1 && spread.max >= 1) return `within noise (${times(spread.median)}, ${range} of auth off)`;
  const cost = 1 - spread.median;
  return cost > 0
    ? `${pct(cost)} slower (${times(spread.median)}, ${range} of auth off)`
    : `${pct(-cost)} faster than auth off, which only noise can explain (${range})`;
}
