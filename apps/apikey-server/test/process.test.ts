// The server as a process, as `pnpm dev` runs it: the demo key saved to a 0600 file (never to stdout),
// SIGTERM ending SSE streams cleanly with exit code 0, and plain-words errors for a port in use or a
// bad setting.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
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

const ping = (url: string, key: string) =>
  fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'apikey-process-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('apikey-server process', () => {
  it('a demo key on a fresh data dir goes to a 0600 file, never to stdout/stderr; SIGTERM closes SSE streams cleanly and exits 0', async () => {
    const first = launch({});
    const url = await listening(first);
    const file = join(dataDir, 'demo-credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = (JSON.parse(readFileSync(file, 'utf8')) as { api_key: string }).api_key;
    expect(key).toMatch(/^mcpk_[0-9a-z]{16}_[A-Za-z0-9_-]{43}$/);
    expect(first.out()).toContain(`demo API key created: the secrets are in ${file}`);
    expect(first.out() + first.err()).not.toMatch(/mcpk_/);

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
    expect(second.out()).toContain(`demo API key saved by an earlier start: the secrets are in ${file}`);
    expect(second.out() + second.err()).not.toMatch(/mcpk_/);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  // util-linux `script` gives the server a terminal while its stdout and stderr go to files, as a log
  // collector would take them: the key reaches the terminal and the 0600 file, never the logs.
  it.skipIf(!existsSync('/usr/bin/script'))(
    'on a terminal the demo key is shown there, and still not on stdout or stderr',
    async () => {
      const fresh = mkdtempSync(join(tmpdir(), 'apikey-tty-'));
      try {
        const tsx = join(appDir, 'node_modules', '.bin', 'tsx');
        const logs = { out: join(fresh, 'stdout.log'), err: join(fresh, 'stderr.log') };
        const command = `${tsx} --conditions=mcp-auth-source src/main.ts > ${logs.out} 2> ${logs.err}`;
        const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
          cwd: appDir,
          env: { ...process.env, DATA_DIR: join(fresh, 'data'), PORT: '0', LOG_LEVEL: 'info' },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let terminal = '';
        child.stdout.on('data', (d) => {
          terminal += d;
        });
        const exited = new Promise((resolve) => child.on('exit', resolve));
        const stdout = () => (existsSync(logs.out) ? readFileSync(logs.out, 'utf8') : '');
        await expect.poll(stdout, { timeout: 45_000 }).toContain('demo API key created');
        await expect.poll(() => terminal, { timeout: 5000 }).toContain('Demo API key (dev mode)');
        const key = (JSON.parse(readFileSync(join(fresh, 'data', 'demo-credentials.json'), 'utf8')) as { api_key: string }).api_key;
        expect(terminal).toContain(key);
        expect(stdout()).toContain('"shownOnTerminal":true');
        expect(stdout()).not.toContain(key);
        expect(readFileSync(logs.err, 'utf8')).not.toContain(key);
        // Ending `script` hangs up its terminal: the server gets SIGHUP and shuts down like on SIGTERM.
        child.kill('SIGTERM');
        await exited;
        await expect.poll(stdout, { timeout: 20_000 }).toContain('shutting down');
      } finally {
        rmSync(fresh, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it('a first start that fails (port in use) keeps its demo key for the next; a deleted file gets a new key', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'apikey-demo-'));
    try {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const failed = launch({ DATA_DIR: fresh, PORT: String((blocker.address() as { port: number }).port) });
      expect(await failed.exited).toBe(1);
      blocker.close();
      const file = join(fresh, 'demo-credentials.json');
      const key = (JSON.parse(readFileSync(file, 'utf8')) as { api_key: string }).api_key;

      const second = launch({ DATA_DIR: fresh });
      const url = await listening(second);
      expect(second.out()).toContain('demo API key saved by an earlier start');
      expect((await ping(url, key)).status).toBe(200);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);

      rmSync(file);
      const third = launch({ DATA_DIR: fresh });
      const url3 = await listening(third);
      expect(third.out()).toContain('demo API key issued again (their file was gone)');
      const reissued = (JSON.parse(readFileSync(file, 'utf8')) as { api_key: string }).api_key;
      expect((await ping(url3, reissued)).status).toBe(200);
      expect((await ping(url3, key)).status).toBe(401);
      third.child.kill('SIGTERM');
      await third.exited;
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 60_000);

  it('SIGTERM answers a call still running at SHUTDOWN_DRAIN_SECONDS with "server shutting down" and exits 0', async () => {
    // A weather provider that never answers keeps get_weather running for WEATHER_TIMEOUT_MS (30 s).
    const hanging = createHttpServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const provider = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
    const fresh = mkdtempSync(join(tmpdir(), 'apikey-drain-'));
    try {
      const run = launch({
        DATA_DIR: fresh,
        SHUTDOWN_DRAIN_SECONDS: '1',
        WEATHER_TIMEOUT_MS: '30000',
        OPEN_METEO_GEOCODING_URL: `${provider}/geo`,
        OPEN_METEO_FORECAST_URL: `${provider}/forecast`,
      });
      const url = await listening(run);
      const key = (JSON.parse(readFileSync(join(fresh, 'demo-credentials.json'), 'utf8')) as { api_key: string }).api_key;
      const call = fetch(`${url}/mcp`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name: 'get_weather', arguments: { location: 'Oslo' } },
        }),
      });
      await new Promise((resolve) => hanging.once('request', resolve)); // the call is waiting on the provider
      run.child.kill('SIGTERM');
      const answer = await call;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32000, message: 'server shutting down' } });
      expect(await run.exited).toBe(0);
      expect(run.out()).toContain('drain deadline reached');
    } finally {
      hanging.closeAllConnections();
      hanging.close();
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 60_000);

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
