/**
 * Each method in each protocol era, as ratios: our server against its auth-off twin, measured in the
 * same alternating rounds, and against the SDK v2 peer of that era (../shared/peer-bench), measured in
 * the same run. Every ratio carries its spread across rounds, so a difference smaller than the spread
 * reads as one. Pure: main.ts measures, this builds the rows of the table and of bench-results.json.
 */
import { type Era, LEGACY_PROTOCOL_VERSION, type LoadResult, MODERN_PROTOCOL_VERSION } from '../load.js';
import { median } from '../median.js';

/** The peer each era of ours is compared with: the SDK's own server, answering that era's requests. */
export const ERA_PEERS = { legacy: 'sdk-v2-legacy', modern: 'sdk-v2-stateless' } as const satisfies Record<Era, string>;

/** The median of the rounds, and the lowest and highest round. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Round i of ours over round i of the other side: pairing the rounds cancels what the machine did
 *  during that round, which comparing two medians would not. */
export function pairedRatios(ours: number[], other: number[]): Spread {
  if (ours.length !== other.length || ours.length === 0) throw new Error(`unpaired rounds: ${ours.length} vs ${other.length}`);
  return spread(ours.map((value, i) => value / (other[i] as number)));
}

/** The rounds of one mode: ours and its auth-off twin, alternating, one of each per round. */
export interface PairRuns {
  on: LoadResult[];
  off: LoadResult[];
}

/** An era either measured, or not served by this build, with the answer that showed it. */
export type EraMeasure = { served: true; runs: PairRuns } | { served: false; reason: string };

export interface EraRow {
  server: string;
  era: Era;
  protocolVersion: string;
  mode: 'stateless' | 'session';
  served: boolean;
  /** Why the era is not measured: our server's or its twin's answer to the era's tools/call. */
  reason?: string;
  rounds?: number;
  /** ours / twin: throughput (below 1 is the cost of auth) and server CPU per call (above 1 is). */
  vsTwin?: { rps: Spread; cpuPerCall?: Spread };
  /** ours / the era's SDK v2 peer in throughput, or why there is no such ratio. */
  vsPeer: { peer: string; rps?: Spread; missing?: string };
}

export function eraRow(
  server: string,
  era: Era,
  mode: 'stateless' | 'session',
  measure: EraMeasure,
  peers: Record<string, LoadResult> | undefined,
): EraRow {
  const protocolVersion = era === 'modern' ? MODERN_PROTOCOL_VERSION : LEGACY_PROTOCOL_VERSION;
  const peerName = ERA_PEERS[era];
  const base = { server, era, protocolVersion, mode };
  if (!measure.served) return { ...base, served: false, reason: measure.reason, vsPeer: { peer: peerName } };
  const { on, off } = measure.runs;
  const cpuOn = on.map((r) => r.cpuMicrosPerCall);
  const cpuOff = off.map((r) => r.cpuMicrosPerCall);
  const cpuKnown = [...cpuOn, ...cpuOff].every((c) => c !== undefined && c > 0);
  const peer = peers?.[peerName];
  const peerProblem = !peers
    ? 'peers not run'
    : !peer
      ? `${peerName} not measured`
      : peer.non2xx + peer.errors > 0 || peer.rps <= 0
        ? `${peerName} answered ${peer.non2xx} non-2xx and ${peer.errors} errors`
        : undefined;
  return {
    ...base,
    served: true,
    rounds: on.length,
    vsTwin: {
      rps: pairedRatios(
        on.map((r) => r.rps),
        off.map((r) => r.rps),
      ),
      ...(cpuKnown ? { cpuPerCall: pairedRatios(cpuOn as number[], cpuOff as number[]) } : {}),
    },
    vsPeer:
      peerProblem || !peer
        ? { peer: peerName, missing: peerProblem ?? 'not measured' }
        : { peer: peerName, rps: spread(on.map((r) => r.rps / peer.rps)) },
  };
}

/** "0.96x (0.93-0.99)": the median ratio, then the lowest and highest round. */
export function formatSpread(s: Spread): string {
  return `${s.median.toFixed(2)}x (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
}

export const ERA_TABLE_HEAD = [
  'server',
  'era, mode',
  'ours / auth-off twin, req/s',
  'ours / twin, server CPU per call',
  'ours / SDK v2 peer of the era, req/s',
];

export function eraTableRows(rows: EraRow[]): string[][] {
  return rows.map((row) => {
    const label = `${row.era} (${row.protocolVersion}), ${row.mode}`;
    // A refusal quoted from a server may hold a pipe, which would split the markdown cell.
    if (!row.served) return [row.server, label, `${row.era} era: not served by this build (${row.reason?.replaceAll('|', '\\|')})`, '', ''];
    const peer = row.vsPeer.rps ? `${formatSpread(row.vsPeer.rps)} vs ${row.vsPeer.peer}` : `n/a (${row.vsPeer.missing})`;
    return [
      row.server,
      label,
      row.vsTwin ? formatSpread(row.vsTwin.rps) : '',
      row.vsTwin?.cpuPerCall ? formatSpread(row.vsTwin.cpuPerCall) : 'n/a',
      peer,
    ];
  });
}
