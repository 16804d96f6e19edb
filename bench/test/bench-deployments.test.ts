// pnpm bench's "one server three ways": apikey-server on SQLite, on real PostgreSQL + Redis, and as
// three replicas behind a real nginx all answer the measured tools/call (a failed call fails the
// measurement), in alternating rounds, each with its figures. Skipped, saying why, where PostgreSQL,
// Redis or nginx is not installed (the bench then reports "not measured" and why).
import { missingService } from '@mcp-auth/mcp-fastify/testing';
import { describe, expect, it } from 'vitest';
import { measureDeployments } from '../src/bench/deployments.js';
import { cpuPlacement } from '../src/deploy/cpu-placement.js';

const missing = missingService('postgres') ?? missingService('redis') ?? missingService('nginx');

describe.skipIf(missing)(`one server three ways ${missing ?? ''}`, () => {
  it('measures each way in every round, every call answered', async () => {
    const lines: string[] = [];
    const result = await measureDeployments({
      placement: cpuPlacement(),
      connections: 8,
      seconds: 1,
      rounds: 2,
      log: (l) => lines.push(l),
    });
    if ('notRun' in result) throw new Error(result.notRun);
    for (const way of [result.embedded, result.shared, result.behindNginx]) {
      expect(way).toHaveLength(2);
      for (const run of way) expect(run.rps).toBeGreaterThan(0);
    }
    expect(result.embedded[0]?.cpuMicrosPerCall).toBeGreaterThan(0);
    expect(lines).toHaveLength(2);
  }, 120_000);
});
