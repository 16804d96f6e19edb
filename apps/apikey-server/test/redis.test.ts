// apikey-server with REDIS_URL: two replicas (real processes) on one real redis-server count an
// address's failed authentications together. A guesser alternating between them is refused with 429
// after AUTH_FAILURES_PER_MINUTE failures in all (plus at most one more at the other replica), not
// twice that; without REDIS_URL each replica would allow the full limit. Skipped, saying why, where
// redis-server is not installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LaunchedProcess,
  launchReplicas,
  missingService,
  postMcp,
  type RunningService,
  startRedis,
  stopApps,
} from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const missing = missingService('redis');
const LIMIT = 8;

let redis: RunningService;
let dirs: string[] = [];
let replicas: LaunchedProcess[] = [];
let urls: string[] = [];

const guess = (url: string, n: number) =>
  postMcp(url, { 'x-api-key': `mcpk_${'0'.repeat(16)}_${String(n).padStart(43, 'x')}` }, 'tools/list');

describe.skipIf(missing)(`apikey-server replicas on one Redis ${missing ?? ''}`, () => {
  beforeAll(async () => {
    redis = await startRedis();
    dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'apikey-redis-')));
    ({ runs: replicas, urls } = await launchReplicas(
      appDir,
      2,
      (i) => ({ REDIS_URL: redis.url, DATA_DIR: dirs[i] as string, LOG_LEVEL: 'info', AUTH_FAILURES_PER_MINUTE: String(LIMIT) }),
      'apikey-server listening',
    ));
  }, 120_000);

  afterAll(async () => {
    await stopApps(replicas);
    await redis?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a guesser alternating between the replicas is limited after the limit in all, not the limit at each', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4 * LIMIT; i++) {
      statuses.push((await guess(urls[i % 2] as string, i)).status);
      // Redis is told of a failure after the answer; a real guesser is not faster than a round trip.
      await new Promise((r) => setTimeout(r, 20));
    }
    const refusedUnverified = statuses.filter((s) => s === 429).length;
    const verifiedAndFailed = statuses.filter((s) => s === 401).length;
    expect(verifiedAndFailed + refusedUnverified).toBe(4 * LIMIT);
    expect(verifiedAndFailed).toBeGreaterThanOrEqual(LIMIT);
    expect(verifiedAndFailed).toBeLessThanOrEqual(LIMIT + 1);
    // Both replicas refuse the address now.
    for (const url of urls) expect((await guess(url, 999)).status).toBe(429);
  });
});
