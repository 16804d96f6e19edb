/**
 * `pnpm bench`: tools/call throughput and latency of our servers and of the peers in
 * ../shared/peer-bench (the official SDK's Express server, stateless and in sessions, and a raw
 * Fastify route as the framework's ceiling), measured in one run on this machine and printed as ratios.
 *
 * Every target runs in its own process and answers the same `get_time` call; our servers run with
 * their audit log on (LOG_LEVEL=info), as in production. DUR (seconds per target, default 8) and
 * CONNS (connections, default 32) tune the run; PEER_BENCH_DIR points at the peers elsewhere.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';

const root = join(import.meta.dirname, '..', '..');
const duration = Number(process.env.DUR ?? 8);
const connections = Number(process.env.CONNS ?? 32);
const peerDir = process.env.PEER_BENCH_DIR ?? join(root, '..', 'shared', 'peer-bench');

interface Result {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

const CALL = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'get_time', arguments: { timezone: 'Asia/Dubai' } },
});
const BASE_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function load(url: string, headers: Record<string, string>): Promise<Result> {
  const probe = await fetch(url, { method: 'POST', headers, body: CALL });
  const text = await probe.text();
  if (probe.status !== 200 || !text.includes('"result"')) throw new Error(`probe of ${url} failed: ${probe.status} ${text.slice(0, 200)}`);
  await autocannon({ url, method: 'POST', headers, body: CALL, connections, duration: 2 }); // warm-up
  const r = await autocannon({ url, method: 'POST', headers, body: CALL, connections, duration });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx };
}

async function openSession(url: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const init = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    }),
  });
  await init.text();
  const id = init.headers.get('mcp-session-id');
  if (!id) throw new Error('no session id from initialize');
  const withSession = { ...headers, 'mcp-session-id': id };
  await fetch(url, { method: 'POST', headers: withSession, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  return withSession;
}

/** Starts the built apikey-server on a fresh data dir and returns its demo key. */
async function startApiKeyServer(port: number, dataDir: string): Promise<{ child: ChildProcess; key: string }> {
  const entry = join(root, 'apps', 'apikey-server', 'dist', 'main.js');
  if (!existsSync(entry)) throw new Error('apps/apikey-server is not built: run `pnpm bench` from the top of the checkout');
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const key = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk;
      const match = /mcpk_[0-9a-z]{16}_[A-Za-z0-9_-]{43}/.exec(seen);
      if (match) {
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining the audit log, unread
        resolve(match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`apikey-server exited with ${code}`)));
  });
  return { child, key };
}

async function peers(): Promise<Record<string, Result>> {
  if (!existsSync(join(peerDir, 'bench.sh'))) {
    console.log(`(peers skipped: ${peerDir} not found; set PEER_BENCH_DIR)`);
    return {};
  }
  console.log('peers: installing on first use and measuring (../shared/peer-bench) ...');
  const { stdout } = await promisify(execFile)('bash', [join(peerDir, 'bench.sh')], {
    env: {
      ...process.env,
      JSON: '1',
      DUR: String(duration),
      CONNS: String(connections),
      ONLY: 'raw-fastify,sdk-express,sdk-express-stateful',
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, Result>;
}

async function ours(): Promise<Record<string, Result>> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-apikey-'));
  const { child, key } = await startApiKeyServer(port, dataDir);
  try {
    const url = `http://127.0.0.1:${port}/mcp`;
    const headers = { ...BASE_HEADERS, 'x-api-key': key };
    console.log('apikey-server: measuring stateless and in a session ...');
    return {
      'apikey stateless': await load(url, headers),
      'apikey session': await load(url, await openSession(url, headers)),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const ratio = (a: Result | undefined, b: Result | undefined) => (a && b && b.rps > 0 ? `${(a.rps / b.rps).toFixed(2)}x` : 'n/a');

const results = { ...(await peers()), ...(await ours()) };
console.log(`\ntools/call get_time, ${connections} connections, ${duration}s per target\n`);
console.table(results);
const stateless = results['apikey stateless'];
const session = results['apikey session'];
console.table({
  'apikey stateless / sdk-express (target >= 3x)': ratio(stateless, results['sdk-express']),
  'apikey session / sdk-express-stateful (target >= 2x)': ratio(session, results['sdk-express-stateful']),
  'apikey best / raw-fastify ceiling (target >= 0.45x)': ratio(
    stateless && session ? (stateless.rps >= session.rps ? stateless : session) : undefined,
    results['raw-fastify'],
  ),
});
