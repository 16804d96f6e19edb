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

/** Starts a built app on a fresh data dir and returns what its first-start banner printed. */
async function startApp(app: string, port: number, dataDir: string, secretPattern: RegExp, env: Record<string, string> = {}) {
  const entry = join(root, 'apps', app, 'dist', 'main.js');
  if (!existsSync(entry)) throw new Error(`apps/${app} is not built: run \`pnpm bench\` from the top of the checkout`);
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const secret = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk;
      const match = secretPattern.exec(seen);
      if (match) {
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining the audit log, unread
        resolve(match[1] ?? match[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${app} exited with ${code}`)));
  });
  return { child, secret };
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
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

/** Measures one server stateless and in a session, with the headers that authenticate to it. */
async function measure(name: string, url: string, auth: Record<string, string>): Promise<Record<string, Result>> {
  const headers = { ...BASE_HEADERS, ...auth };
  console.log(`${name}: measuring stateless and in a session ...`);
  return { [`${name} stateless`]: await load(url, headers), [`${name} session`]: await load(url, await openSession(url, headers)) };
}

async function apikey(): Promise<Record<string, Result>> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-apikey-'));
  const { child, secret: key } = await startApp('apikey-server', port, dataDir, /mcpk_[0-9a-z]{16}_[A-Za-z0-9_-]{43}/);
  try {
    return await measure('apikey', `http://127.0.0.1:${port}/mcp`, { 'x-api-key': key });
  } finally {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function jwt(): Promise<Record<string, Result>> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-jwt-'));
  const { child, secret } = await startApp('jwt-server', port, dataDir, /client_secret: (mcps_\S+)/);
  try {
    const base = `http://127.0.0.1:${port}`;
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`test_client:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const { access_token } = (await res.json()) as { access_token: string };
    return await measure('jwt', `${base}/mcp`, { authorization: `Bearer ${access_token}` });
  } finally {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const ratio = (a: Result | undefined, b: Result | undefined) => (a && b && b.rps > 0 ? `${(a.rps / b.rps).toFixed(2)}x` : 'n/a');

const results = { ...(await peers()), ...(await apikey()), ...(await jwt()) };
console.log(`\ntools/call get_time, ${connections} connections, ${duration}s per target\n`);
console.table(results);
const ratios: Record<string, string> = {};
for (const method of ['apikey', 'jwt']) {
  const stateless = results[`${method} stateless`];
  const session = results[`${method} session`];
  const best = stateless && session ? (stateless.rps >= session.rps ? stateless : session) : undefined;
  ratios[`${method} stateless / sdk-express (target >= 3x)`] = ratio(stateless, results['sdk-express']);
  ratios[`${method} session / sdk-express-stateful (target >= 2x)`] = ratio(session, results['sdk-express-stateful']);
  ratios[`${method} best / raw-fastify ceiling (target >= 0.45x)`] = ratio(best, results['raw-fastify']);
}
console.table(ratios);
