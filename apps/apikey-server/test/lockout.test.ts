// Issue 12 point 1, as a real process over HTTP: one address sends 20% bad keys at a low
// AUTH_FAILURES_PER_MINUTE over a few connections. The valid key keeps getting 200; the bad keys get
// 401 up to the limit and 429 after it, and those past the limit never reach verification.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launchApp, mixedTraffic, refusalCounts } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'apikey-lockout-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('a valid key keeps working from an address that guesses keys; guesses past the limit get 429 unverified', async () => {
  const limit = 10;
  const port = await freePort();
  const run = launchApp(join(import.meta.dirname, '..'), {
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'info',
    AUTH_FAILURES_PER_MINUTE: String(limit),
  });
  await expect.poll(() => run.out(), { timeout: 45_000 }).toContain('apikey-server listening');
  // The demo key is never printed: it is in the 0600 file the log names.
  const key = (JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as { api_key: string }).api_key;

  const traffic = await mixedTraffic({
    url: `http://127.0.0.1:${port}/mcp`,
    valid: { 'x-api-key': key },
    // Well-formed guesses: a new key id and secret each time.
    bad: (n) => ({ 'x-api-key': `mcpk_${n.toString(36).padStart(16, '0')}_${'A'.repeat(43)}` }),
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
  // Exactly `limit` guesses were verified and failed; the rest were refused before verification.
  expect(refusalCounts(run.out())).toMatchObject({
    'authentication failed: Invalid API key': limit,
    'too many failed authentications': traffic.bad.length - limit,
  });
});
