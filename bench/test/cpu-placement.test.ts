import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuPlacement, describePlacement, placeChildrenOf, placedCommand } from '../src/deploy/cpu-placement.js';

const allowed = (pid: number) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];

describe('where the bench runs servers and the load generator', () => {
  it('places servers on CPU 0 and the load on the rest, and says why when it does not', () => {
    expect(cpuPlacement({}, 1)).toEqual({ placed: false, reason: 'one core only (1)' });
    expect(cpuPlacement({ BENCH_PIN: '0' }, 8)).toEqual({ placed: false, reason: 'BENCH_PIN=0' });
    const two = cpuPlacement({}, 2);
    if (!two.placed) {
      expect(two.reason).toMatch(/taskset/); // a machine without util-linux
      return;
    }
    expect(two.cpus).toEqual({ server: '0', load: '1' });
    expect(cpuPlacement({}, 4)).toEqual({ placed: true, cpus: { server: '0', load: '1-3' } });
    expect(describePlacement(two)).toMatch(/pinned to CPU 0, the load generator to CPU 1/);
    expect(placedCommand(two, 'server', 'node', ['a.js'])).toEqual({ file: 'taskset', args: ['--cpu-list', '0', 'node', 'a.js'] });
    expect(placedCommand(two, 'load', 'bash', ['b.sh'])).toEqual({ file: 'taskset', args: ['--cpu-list', '1', 'bash', 'b.sh'] });
    expect(placedCommand(undefined, 'server', 'node', ['a.js'])).toEqual({ file: 'node', args: ['a.js'] });
  });

  it.skipIf(cpuPlacement().placed === false)('moves the processes a runner starts onto the server cores', async () => {
    const placement = cpuPlacement();
    if (!placement.placed) return;
    // A runner on the load cores that starts a child: the child inherits the load cores, then is moved.
    const runner = spawn('taskset', ['--cpu-list', placement.cpus.load, 'sh', '-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    const stop = placeChildrenOf(runner.pid as number, placement);
    try {
      await expect.poll(() => allowed(runner.pid as number)).toBe(placement.cpus.load);
      const children = () =>
        readFileSync(`/proc/${runner.pid}/task/${runner.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      await expect.poll(() => children().length).toBeGreaterThan(0);
      await expect.poll(() => allowed(children()[0] as number), { timeout: 5_000 }).toBe(placement.cpus.server);
    } finally {
      stop();
      runner.kill('SIGKILL');
    }
  });
});
