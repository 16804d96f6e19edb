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
import { readdirSync, readFileSync } from 'node:fs';
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

/** The command that starts `argv` on the server's cores (or as it is, unplaced). */
export function placedCommand(placement: Placement | undefined, executable: string, args: string[]): { file: string; args: string[] } {
  if (!placement?.placed) return { file: executable, args };
  // taskset execs the program: the child's pid is the server's own, so /proc readings stay right.
  return { file: 'taskset', args: ['--cpu-list', placement.cpus.server, executable, ...args] };
}

/** The CPUs a thread may run on, as /proc prints them ("0", "0-1"). */
function allowedCpus(pid: number, tid: string): string | undefined {
  try {
    return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1];
  } catch {
    return undefined; // the thread or process ended
  }
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name is in parentheses and may hold spaces: the parent pid is the second field after it.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // ended while being read
    }
  }
  return children;
}

/**
 * For a runner that starts its own servers (../shared/peer-bench): the runner itself is started on the
 * load cores, and every process it starts is moved onto the server cores as soon as it appears (a
 * server takes far longer to start listening than the 25 ms between looks), then checked again on each
 * look, so that no thread it starts later stays behind. Returns the function that stops watching.
 */
export function placeChildrenOf(pid: number, placement: Placement): () => void {
  if (!placement.placed) return () => {};
  const { server } = placement.cpus;
  const timer = setInterval(() => {
    for (const child of childrenOf(pid)) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${child}/task`);
      } catch {
        continue;
      }
      if (tids.some((tid) => allowedCpus(child, tid) !== server)) {
        try {
          pinProcess(child, server);
        } catch {
          // it ended between the look and the move
        }
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
