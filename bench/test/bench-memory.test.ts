// pnpm bench judges memory against the leanest official SDK server of the same run, in RSS and in
// private memory separately, and refuses to judge a reading taken after failed calls.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { formatMemoryVerdict, judgeMemory, MEMORY_CALLS, type Memory, memoryAfterCalls, type PeerResult } from '../src/bench/memory.js';
import { MCP_HEADERS, toolCall } from '../src/load.js';

const run = { rps: 1000, p50: 1, p99: 2, non2xx: 0, errors: 0 };
const mem = (rss: number, priv: number, calls = MEMORY_CALLS): Memory => ({ rss, private: priv, calls });

describe('judgeMemory', () => {
  const peers: Record<string, PeerResult> = {
    // Not an SDK server: never the reference, however lean.
    'raw-fastify': { ...run, memory: mem(60, 20) },
    'sdk-express': { ...run, memory: mem(167, 119) },
    // Leaner in private memory than sdk-express, fatter in RSS: each measure has its own reference.
    'sdk-v2-stateless': { ...run, memory: mem(208, 110) },
    // A peer whose calls failed is not a reference.
    'sdk-express-stateful': { ...run, memory: mem(100, 50, 9_000) },
  };

  it('takes the leanest SDK peer of each measure, and meets the target at or below 0.8x', () => {
    const rss = judgeMemory(mem(130, 90), peers, 'rss');
    expect(rss.peer).toEqual({ name: 'sdk-express', mb: 167 });
    expect(rss.ratio).toBeCloseTo(130 / 167);
    expect(rss.met).toBe(true);
    const priv = judgeMemory(mem(130, 90), peers, 'private');
    expect(priv.peer).toEqual({ name: 'sdk-v2-stateless', mb: 110 });
    expect(priv.met).toBe(false);
    expect(formatMemoryVerdict(mem(130, 90), 'private', priv)).toBe('0.82x (90 vs 110 MB, sdk-v2-stateless)');
  });

  it('judges nothing without peers, without their memory, or after failed calls of ours', () => {
    expect(judgeMemory(mem(100, 50), undefined, 'rss')).toEqual({ missing: 'peers not run' });
    expect(judgeMemory(mem(100, 50), { 'sdk-express': run }, 'rss').missing).toBe('no SDK peer measured with MEMORY=1');
    const failed = judgeMemory(mem(100, 50, 12), peers, 'rss');
    expect(failed.met).toBeUndefined();
    expect(formatMemoryVerdict(mem(100, 50, 12), 'rss', failed)).toBe(`100 MB; n/a (ours answered 12 of ${MEMORY_CALLS} calls)`);
  });
});

describe('memoryAfterCalls', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
  });

  it('sends exactly 10,000 calls, counts the answered ones, and reads the process from /proc', async () => {
    // A real process answering a tools/call result to every POST: the reading is of that process.
    const script = `
      const http = require('node:http');
      let n = 0;
      http.createServer((req, res) => { req.resume(); req.on('end', () => { n++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: String(n) }] } }));
      }); }).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });`;
    child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    const url = `http://127.0.0.1:${chunk.toString().trim()}/mcp`;
    const memory = await memoryAfterCalls(
      child.pid as number,
      url,
      { headers: MCP_HEADERS, body: toolCall('get_time', {}), era: 'legacy' },
      8,
    );
    expect(memory.calls).toBe(MEMORY_CALLS);
    // A Node process is tens of MB resident; private is a part of resident.
    expect(memory.rss).toBeGreaterThan(20);
    expect(memory.private).toBeGreaterThan(0);
    expect(memory.private).toBeLessThanOrEqual(memory.rss);
  }, 60_000);
});
