/**
 * Which cores the servers under test run on, and which the load generator runs on.
 *
 * Left to the scheduler on a 2-core machine, a server and the autocannon that drives it share both
 * cores, and where the scheduler happens to put each process shows in the figures: measured here, two
 * identical auth-off servers differed by 4-5% in CPU per call (1.04x, 1.05x with the order of the
 * runs swapped), always against the one started first, which is as large as the cost of auth being
 * measured. With each server on a core of its own (taskset) and the load generator on the others, the
 * same pair came out at 1.01x (0.97-1.04). So the bench and `pnpm compare` place every server they
 * measure, ours and the peers alike, on CPU 0 and themselves on the rest. BENCH_PIN=0 turns it off
 * (then the scheduler places everything, as before); a machine of one core, or without taskset
 * (util-linux), is measured unplaced and the report says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface CpuPlacement {
  /** taskset's CPU list for the servers under test. */
  server: string;
  /** taskset's CPU list for the load generator (this process). */
  load: string;
}

/** The placement, or why there is none (for the report). */
export type Placement = { placed: true; cpus: CpuPlacement } | { placed: false; reason: string };

function hasTaskset(): boolean {
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
}

export function cpuPlacement(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): Placement {
  if (env.BENCH_PIN === '0') return { placed: false, reason: 'BENCH_PIN=0' };
  if (cores < 2) return { placed: false, reason: `one core only (${cores})` };
  if (!hasTaskset()) return { placed: false, reason: 'taskset (util-linux) is not installed' };
  return { placed: true, cpus: { server: '0', load: cores === 2 ? '1' : `1-${cores - 1}` } };
}

/** Moves every thread of a running process onto `cpus`. */
export function pinProcess(pid: number, cpus: string): void {
  execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], { stdio: 'ignore' });
}

/** The command that starts `args` on the server's cores or the load cores (or as it is, unplaced). */
export function placedCommand(
  placement: Placement | undefined,
  role: keyof CpuPlacement,
  executable: string,
  args: string[],
): { file: string; args: string[] } {
  if (!placement?.placed) return { file: executable, args };
  // taskset execs the program: the child's pid is the program's own, so /proc readings stay right.
  return { file: 'taskset', args: ['--cpu-list', placement.cpus[role], executable, ...args] };
}

/** The processes `pid` has started (Linux: its main thread's children, which is where spawn forks). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return []; // the runner ended
  }
}

/** A child is moved when first seen and once more this long after, for any thread it started meanwhile. */
const SECOND_PIN_AFTER_MS = 1000;

/**
 * For a runner that starts its own servers (../shared/peer-bench): the runner itself is started on the
 * load cores, and every process it starts is moved onto the server cores as soon as it appears (a
 * server takes far longer to start listening than the 25 ms between looks), then once more a second
 * later, so that no thread it started while being moved stays behind. A look reads one /proc file,
 * so the watching costs the load generator next to nothing. Returns the function that stops watching.
 */
export function placeChildrenOf(pid: number, placement: Placement): () => void {
  if (!placement.placed) return () => {};
  const { server } = placement.cpus;
  const firstPinned = new Map<number, number>(); // child -> when it was first moved; -1 once moved twice
  const pin = (child: number) => {
    try {
      pinProcess(child, server);
    } catch {
      // it ended between the look and the move
    }
  };
  const timer = setInterval(() => {
    const now = Date.now();
    for (const child of childrenOf(pid)) {
      const at = firstPinned.get(child);
      if (at === undefined) {
        pin(child);
        firstPinned.set(child, now);
      } else if (at >= 0 && now - at >= SECOND_PIN_AFTER_MS) {
        pin(child);
        firstPinned.set(child, -1);
      }
    }
  }, 25);
  return () => clearInterval(timer);
}

/** Moves this process (the load generator) onto the load cores; returns the placement for the servers. */
export function placeLoadGenerator(placement: Placement = cpuPlacement()): Placement {
  if (placement.placed) pinProcess(process.pid, placement.cpus.load);
  return placement;
}

/** One line for the report: where the servers and the load generator ran. */
export function describePlacement(placement: Placement): string {
  return placement.placed
    ? `each server under test pinned to CPU ${placement.cpus.server}, the load generator to CPU ${placement.cpus.load} (taskset)`
    : `servers and load generator placed by the scheduler (${placement.reason})`;
}
