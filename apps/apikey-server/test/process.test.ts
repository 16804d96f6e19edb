// The server as a process, as `pnpm dev` runs it: the demo key printed once on a fresh data dir,
// SIGTERM ending SSE streams cleanly with exit code 0, and plain-words errors for a port in use or a
// bad setting.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LaunchedProcess, launchApp } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
let dataDir: string;

type Running = LaunchedProcess;

const launch = (env: Record<string, string>): Running => launchApp(appDir, { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', ...env });

async function listening(running: Running): Promise<string> {
  await expect.poll(() => running.out(), { timeout: 45_000 }).toContain('apikey-server listening');
  return /"url":"([^"]+)"/.exec(running.out())?.[1] as string;
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'apikey-process-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('apikey-server process', () => {
  it('prints a demo key once on a fresh data dir; SIGTERM closes SSE streams cleanly and exits 0', async () => {
    const first = launch({});
    const url = await listening(first);
    const key = /mcpk_[0-9a-z]{16}_[A-Za-z0-9_-]{43}/.exec(first.out())?.[0] as string;
    expect(key).toBeDefined();

    const sse = await fetch(`${url}/sse`, { headers: { 'x-api-key': key, accept: 'text/event-stream' } });
    expect(sse.status).toBe(200);
    const reader = (sse.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: endpoint');

    first.child.kill('SIGTERM');
    let done = false;
    while (!done) done = (await reader.read()).done; // a clean end of stream, not a reset
    expect(await first.exited).toBe(0);
    expect(first.out()).toContain('shutting down');

    const second = launch({});
    await listening(second);
    expect(second.out()).not.toMatch(/mcpk_/); // shown once only
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('says so in plain words when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = launch({ PORT: String(port) });
      expect(await run.exited).toBe(1);
      expect(run.err()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('warns when it serves plain HTTP on a network address in production', async () => {
    const run = launch({ NODE_ENV: 'production', HOST: '0.0.0.0' });
    await listening(run);
    expect(run.out()).toContain('serving plain HTTP on a network address in production');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('lists every configuration problem at once and exits 1', async () => {
    const run = launch({ PORT: 'eighty', LOG_LEVEL: 'loud', OPEN_METEO_FORECAST_URL: 'http://weather.example/v1', TRUST_PROXY: 'true' });
    expect(await run.exited).toBe(1);
    const err = run.err();
    expect(err).toContain('PORT="eighty" must be a whole number');
    expect(err).toContain('LOG_LEVEL="loud" must be one of');
    expect(err).toContain('OPEN_METEO_FORECAST_URL="http://weather.example/v1" must use https');
    // Trusting every X-Forwarded-For sender would let each client choose its failed-auth limiter key.
    expect(err).toContain('TRUST_PROXY=true would believe the X-Forwarded-For header of any client');
    expect(err).toContain('TRUST_PROXY=10.0.0.5');
    expect(err).not.toContain('    at '); // no stack trace for a user mistake
  });
});
