/**
 * The peer servers of ../shared/peer-bench, measured by their own runner with the same settings: the
 * raw-Fastify ceiling, the v1 SDK's Express examples, and the SDK v2 server once per era (ERA_PEERS),
 * each with its memory after 10,000 calls on a fresh process.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Placement, placeChildrenOf, placedCommand } from '../deploy/cpu-placement.js';
import { ROOT } from '../deploy/launch.js';
import { ERA_PEERS } from './eras.js';
import type { PeerResult } from './memory.js';

export const PEERS = ['raw-fastify', 'sdk-express', 'sdk-express-stateful', ERA_PEERS.modern, ERA_PEERS.legacy];

export const PEER_DIR = process.env.PEER_BENCH_DIR ?? join(ROOT, '..', 'shared', 'peer-bench');

/** `placement`: the runner (and its autocannon) goes on the load cores, each peer it starts on the server cores, as ours. */
export async function measurePeers(options: {
  seconds: number;
  connections: number;
  placement: Placement;
}): Promise<Record<string, PeerResult> | undefined> {
  if (!existsSync(join(PEER_DIR, 'bench.sh'))) return undefined;
  const { placement } = options;
  // taskset execs bash, which execs the runner: the pid spawned is the runner's, whose children are the peers.
  const { file, args } = placedCommand(placement, 'load', 'bash', [join(PEER_DIR, 'bench.sh')]);
  const running = promisify(execFile)(file, args, {
    env: {
      ...process.env,
      JSON: '1',
      // Each peer once more on a fresh process, 10,000 calls, then its RSS and private memory.
      MEMORY: '1',
      DUR: String(options.seconds),
      CONNS: String(options.connections),
      ONLY: PEERS.join(','),
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  const stopPlacing = running.child.pid ? placeChildrenOf(running.child.pid, placement) : () => {};
  const { stdout } = await running.finally(stopPlacing);
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, PeerResult>;
}
