// Windowed counts (rate limits, failed authentications) with a real redis-server: two replicas count
// one key together, services and windows stay apart, a window ends when it should, and while Redis is
// down each replica counts alone and says so, sharing again once it is back with no restart. Without
// REDIS_URL the counts are the process's own. Skipped, saying why, where redis-server is missing.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis } from '../src/shared-state/redis-client.js';
import { createWindowCounter } from '../src/shared-state/window-counter.js';
import { missingService, type RunningService, startRedis } from '../testing/services.js';

const missing = missingService('redis');

describe('without Redis', () => {
  it('counts in the process, in fixed windows', async () => {
    let clock = 0;
    const counter = createWindowCounter({ prefix: 'p:', now: () => clock });
    expect(counter.shared).toBe(false);
    expect((await counter.hit('k', 1000)).count).toBe(1);
    clock += 999;
    expect(await counter.hit('k', 1000)).toEqual({ count: 2, ttlMs: 1, shared: false });
    clock += 1;
    expect((await counter.hit('k', 1000)).count).toBe(1);
  });
});

describe.skipIf(missing)(`with a real Redis ${missing ?? ''}`, () => {
  let redis: RunningService;
  const clients: Redis[] = [];
  const logs: string[] = [];
  const log = { warn: (_: unknown, msg: string) => logs.push(`warn ${msg}`), info: (_: unknown, msg: string) => logs.push(`info ${msg}`) };
  const replica = async (prefix = 'mcp-auth:test:') => {
    const client = await openRedis(redis.url, log as never);
    clients.push(client);
    return createWindowCounter({ redis: client, prefix });
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

  it('two replicas count one key together; another service and another key count apart', async () => {
    const [a, b] = [await replica(), await replica()];
    const other = await replica('mcp-auth:other:');
    await Promise.all(clients.map((c) => new Promise((r) => (c.status === 'ready' ? r(null) : c.once('ready', r)))));
    const counts = [];
    for (let i = 0; i < 6; i++) counts.push((await (i % 2 ? b : a).hit('addr', 60_000)).count);
    expect(counts).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await other.hit('addr', 60_000)).count).toBe(1);
    expect((await a.hit('another', 60_000)).count).toBe(1);
    const last = await b.hit('addr', 60_000);
    expect(last.shared).toBe(true);
    expect(last.ttlMs).toBeGreaterThan(59_000);
    // Counted at once from both: every hit counted, none lost.
    const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).hit('burst', 60_000)));
    expect(burst.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('a window ends when its time is up', async () => {
    const a = await replica();
    expect((await a.hit('short', 150)).count).toBe(1);
    expect((await a.hit('short', 150)).count).toBe(2);
    await new Promise((r) => setTimeout(r, 200));
    expect((await a.hit('short', 150)).count).toBe(1);
  });

  it('while Redis is down each replica counts alone and says so once; back, they share again with no restart', async () => {
    const a = await replica();
    await a.hit('warm', 60_000);
    await redis.stop();
    const during = [];
    for (let i = 0; i < 3; i++) during.push(await a.hit('outage', 60_000));
    expect(during.map((r) => [r.count, r.shared])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(logs.filter((l) => l.includes('Redis cannot be reached')).length).toBeGreaterThanOrEqual(1);
    expect(logs.filter((l) => l.includes('Redis cannot be reached')).length).toBeLessThanOrEqual(clients.length);
    await redis.restart();
    await expect.poll(async () => (await a.hit('after', 60_000)).shared, { timeout: 10_000 }).toBe(true);
    expect(logs.some((l) => l.includes('Redis is reachable again'))).toBe(true);
  }, 30_000);
});
