/**
 * Memory, judged side by side: a fresh process of each server, exactly 10,000 tools/call, then its
 * resident (VmRSS) and private (Private_Clean + Private_Dirty: pages no other process shares, such as
 * the node binary's) memory, read the way ../shared/peer-bench reads its peers' with MEMORY=1. An
 * absolute figure in MB says more about Node than about a server, so the target is a ratio against
 * the leanest of the official SDK's servers measured in the same run.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { answersToolCall, type Era, type LoadResult } from '../load.js';

export const MEMORY_CALLS = 10_000;

/** Each of our servers at or below this share of the leanest SDK peer, in RSS and in private memory. */
export const MEMORY_TARGET_RATIO = 0.8;

/** The official SDK's servers among the peers: the leanest of them is the memory target's reference. */
export const SDK_PEERS = ['sdk-express', 'sdk-express-stateful', 'sdk-v2-stateless', 'sdk-v2-legacy'] as const;

export interface Memory {
  rss: number;
  private: number;
  /** Calls answered with a tools/call result before the reading: MEMORY_CALLS unless some failed. */
  calls: number;
}

/** A peer's run as ../shared/peer-bench reports it; `memory` only with MEMORY=1. */
export type PeerResult = LoadResult & { memory?: Memory };

/** RSS and private memory of a process, MB (Linux /proc). */
export function processMemoryMb(pid: number): { rss: number; private: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (text: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  return {
    rss: Math.round(kb(status, 'VmRSS') / 1024),
    private: Math.round((kb(rollup, 'Private_Clean') + kb(rollup, 'Private_Dirty')) / 1024),
  };
}

/** Exactly MEMORY_CALLS tools/call to a server that has served nothing yet, then its memory. */
export async function memoryAfterCalls(
  pid: number,
  url: string,
  request: { headers: Record<string, string>; body: string; era: Era },
  connections: number,
): Promise<Memory> {
  const answers = answersToolCall(request.era);
  let calls = 0;
  await autocannon({
    url,
    method: 'POST',
    headers: request.headers,
    body: request.body,
    connections,
    amount: MEMORY_CALLS,
    verifyBody: (body) => {
      if (!answers(body)) return false;
      calls++;
      return true;
    },
  });
  return { ...processMemoryMb(pid), calls };
}

export interface MemoryVerdict {
  /** The leanest SDK peer in this measure, and its figure. */
  peer?: { name: string; mb: number };
  ratio?: number;
  met?: boolean;
  /** Why there is no ratio: no peers run, none measured with memory, or a reading after failed calls. */
  missing?: string;
}

/** A reading counts only after every one of the 10,000 calls was answered; otherwise it measured failures. */
function complete(memory: Memory | undefined): memory is Memory {
  return memory !== undefined && memory.calls === MEMORY_CALLS;
}

/** Our server's RSS or private memory against the leanest SDK peer's in the same measure. */
export function judgeMemory(ours: Memory, peers: Record<string, PeerResult> | undefined, measure: 'rss' | 'private'): MemoryVerdict {
  if (ours.calls !== MEMORY_CALLS) return { missing: `ours answered ${ours.calls} of ${MEMORY_CALLS} calls` };
  if (!peers) return { missing: 'peers not run' };
  const measured = SDK_PEERS.flatMap((name) => {
    const memory = peers[name]?.memory;
    return complete(memory) ? [{ name, mb: memory[measure] }] : [];
  });
  if (measured.length === 0) return { missing: 'no SDK peer measured with MEMORY=1' };
  const peer = measured.reduce((a, b) => (b.mb < a.mb ? b : a));
  const ratio = ours[measure] / peer.mb;
  return { peer, ratio, met: ratio <= MEMORY_TARGET_RATIO };
}

/** "0.71x (142 vs 201 MB of sdk-express)", or why there is no ratio. */
export function formatMemoryVerdict(ours: Memory, measure: 'rss' | 'private', v: MemoryVerdict): string {
  if (!v.peer || v.ratio === undefined) return `${ours[measure]} MB; n/a (${v.missing})`;
  return `${v.ratio.toFixed(2)}x (${ours[measure]} vs ${v.peer.mb} MB, ${v.peer.name})`;
}
