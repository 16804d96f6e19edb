/**
 * The cost of auth as a reader may quote it: from rounds that alternate a server with its auth-off
 * twin, the ratio of each round (ours / twin, req/s), their median and their spread. On a small machine
 * shared with the load generator one run moves by 10-40%, so a difference the rounds themselves do not
 * agree on is reported as "within noise", never as a percentage.
 */
import { median } from '../median.js';

export interface RatioSpread {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

export function spreadOf(ratios: readonly number[]): RatioSpread | undefined {
  if (ratios.length === 0) return undefined;
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), rounds: ratios.length };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const times = (x: number) => `${x.toFixed(2)}x`;

/** Which way a ratio ours / auth off shows a cost: fewer requests a second, or more CPU a call. */
export type Measure = 'throughput' | 'cpu';

/**
 * A "cost of auth" cell. Within noise when the rounds straddle no cost (one round at or above 1x and
 * one at or below), or when there is one round only (no spread to judge by); otherwise the median
 * cost with the range of the rounds. Throughput ratios below 1x are a cost; CPU-per-call ratios above.
 */
export function costOfAuth(spread: RatioSpread | undefined, measure: Measure = 'throughput'): string {
  if (!spread) return 'n/a (no auth-off twin)';
  const range = `rounds ${times(spread.min)}-${times(spread.max)}`;
  if (spread.rounds < 2) return `not judged: one round only (${times(spread.median)}); run with more ROUNDS`;
  if (spread.min <= 1 && spread.max >= 1) return `within noise (${times(spread.median)}, ${range} of auth off)`;
  const cost = measure === 'throughput' ? 1 - spread.median : spread.median - 1;
  const what = measure === 'throughput' ? ['slower', 'faster than auth off'] : ['more CPU per call', 'less CPU per call than auth off'];
  return cost > 0
    ? `${pct(cost)} ${what[0]} (${times(spread.median)}, ${range} of auth off)`
    : `${pct(-cost)} ${what[1]}, which only noise can explain (${range})`;
}

/** A figure beside the spread of its rounds: "2490 (rounds 2310-2602)". One round has no spread. */
export function withRange(value: number, rounds: readonly number[], unit = ''): string {
  const fmt = (x: number) => `${Number.isInteger(x) ? x : x.toFixed(1)}${unit}`;
  if (rounds.length < 2) return fmt(value);
  return `${fmt(value)} (rounds ${fmt(Math.min(...rounds))}-${fmt(Math.max(...rounds))})`;
}
