// Issue 12 point 1 for method 3, as a real process over HTTP: one address sends 20% tokens with bad
// signatures at a low AUTH_FAILURES_PER_MINUTE over a few connections. The valid token keeps getting
// 200; the bad ones get 401 up to the limit and 429 after it, without signature checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRs256TokenIssuer, loadKeySet, writeKeyPair } from '@mcp-auth/auth';
import { freePort, launchApp, mixedTraffic, refusalCounts } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'hr-lockout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a valid token keeps working from an address that sends forged ones; forgeries past the limit get 429 unverified', async () => {
  writeKeyPair(join(dir, 'keys'));
  const keys = loadKeySet(join(dir, 'keys'));
  const { token } = await createRs256TokenIssuer({
    keys: { current: () => keys.signing },
    issuer: 'http://127.0.0.1:8000',
    ttlSeconds: 300,
  }).issue({ subject: 'alice', audience: 'my-mcp-server', scope: 'mcp', claims: { job_role: 'Manager', id: 'EMP-001' } });
  const limit = 10;
  const port = await freePort();
  const run = launchApp(join(import.meta.dirname, '..'), {
    DATA_DIR: join(dir, 'data'),
    PUBLIC_KEY_FILE: join(dir, 'keys', 'public.pem'),
    PORT: String(port),
    LOG_LEVEL: 'info',
    AUTH_FAILURES_PER_MINUTE: String(limit),
  });
  await expect.poll(() => run.out(), { timeout: 45_000 }).toContain('hr-server listening');

  const [header, payload] = token.split('.');
  const traffic = await mixedTraffic({
    url: `http://127.0.0.1:${port}/mcp`,
    valid: { authorization: `Bearer ${token}` },
    // The valid header and claims with a different signature each time.
    bad: (n) => ({ authorization: `Bearer ${header}.${payload}.${Buffer.from(`forged-${n}`.padEnd(256, '.')).toString('base64url')}` }),
    connections: 4,
    requests: 250,
    badEvery: 5,
  });
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);

  const validCalls = [...traffic.valid.values()].reduce((a, b) => a + b, 0);
  expect(validCalls).toBe(200);
  expect((traffic.valid.get(200) ?? 0) / validCalls).toBeGreaterThanOrEqual(0.99);
  expect(traffic.bad.length).toBeGreaterThan(limit);
  expect(traffic.bad.slice(0, limit).every((s) => s === 401)).toBe(true);
  expect(traffic.bad.slice(limit).every((s) => s === 429)).toBe(true);
  expect(refusalCounts(run.out())).toMatchObject({
    'authentication failed: Invalid token signature': limit,
    'too many failed authentications': traffic.bad.length - limit,
  });
});
