// Three project-server replicas on one PostgreSQL and one Redis, behind a real nginx using the
// round-robin upstream of deploy/nginx (no stickiness for these stateless requests). Calls through
// nginx are served by every replica; 1,000 concurrent task creations go through nginx while one
// replica is killed with SIGKILL: every write nginx acknowledged is in the database afterwards, ids
// are never given twice, and the only failures are the requests the killed replica held. PostgreSQL
// restarted under load through nginx: every call is answered, with a result or a tool result saying
// PostgreSQL cannot be reached, then all work again with no replica restarted. Skipped,
// saying why, where PostgreSQL, Redis or nginx is not installed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRs256TokenIssuer, loadKeySet, writeKeyPair } from '@mcp-auth/auth';
import {
  callTool,
  crash,
  inPool,
  type LaunchedProcess,
  launchReplicas,
  missingService,
  type RunningService,
  startNginx,
  startPostgres,
  startRedis,
  stopApps,
} from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const repoRoot = join(appDir, '..', '..');
const missing = missingService('postgres') ?? missingService('redis') ?? missingService('nginx');

let pg: RunningService & { psql: (sql: string) => string };
let redis: RunningService;
let nginx: RunningService;
let dir: string;
let replicas: LaunchedProcess[] = [];
let token: string;

type Outcome = { kind: 'ok'; taskId: string } | { kind: 'unavailable'; detail: string } | { kind: 'failed'; detail: string };

/** A tool result saying the database cannot be reached: the MCP request succeeded, nothing was written. */
const UNAVAILABLE = /PostgreSQL/;

async function createTask(url: string, name: string): Promise<Outcome> {
  try {
    const res = await callTool(url, { authorization: `Bearer ${token}` }, 'create_project_task', {
      project_id: 'PROJ-002',
      task_name: name,
      description: 'written through nginx',
      assigned_to: 'EMP-003',
      priority: 'low',
      estimated_hours: 1,
      due_date: '2030-01-01',
    });
    const text = await res.text();
    if (res.status !== 200) return { kind: 'failed', detail: `HTTP ${res.status}` };
    const body = JSON.parse(text) as { result?: { isError?: boolean; structuredContent?: { task: { id: string } } } };
    if (body.result && !body.result.isError && body.result.structuredContent)
      return { kind: 'ok', taskId: body.result.structuredContent.task.id };
    if (body.result?.isError && UNAVAILABLE.test(text)) return { kind: 'unavailable', detail: text.slice(0, 200) };
    return { kind: 'failed', detail: text.slice(0, 200) };
  } catch (error) {
    return { kind: 'failed', detail: String(error) };
  }
}

/** deploy/nginx/mcp-proxy.conf's settings for an MCP upstream, with the test's replicas as its servers. */
function nginxHttpBlock(ports: number[]) {
  const shared = readFileSync(join(repoRoot, 'deploy', 'nginx', 'mcp-proxy.conf'), 'utf8');
  return (listen: number) => `
  upstream project_server {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${listen};
    location / {
      proxy_pass http://project_server;
${shared
  .split('\n')
  .filter((l) => l.trim() && !l.trim().startsWith('#'))
  .map((l) => `      ${l.trim()}`)
  .join('\n')}
    }
  }`;
}

describe.skipIf(missing)(`three project-server replicas behind nginx on PostgreSQL and Redis ${missing ?? ''}`, () => {
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    dir = mkdtempSync(join(tmpdir(), 'project-nginx-'));
    writeKeyPair(join(dir, 'keys'));
    const keys = loadKeySet(join(dir, 'keys'));
    ({ token } = await createRs256TokenIssuer({
      keys: { current: () => keys.signing },
      issuer: 'http://127.0.0.1:8000',
      ttlSeconds: 600,
    }).issue({
      subject: 'alice',
      audience: 'my-mcp-server',
      scope: 'mcp',
      claims: { job_role: 'Manager', id: 'EMP-001' },
    }));
    const launched = await launchReplicas(
      appDir,
      3,
      (i) => ({
        DATABASE_URL: pg.url,
        REDIS_URL: redis.url,
        DATA_DIR: join(dir, `data-${i}`),
        PUBLIC_KEY_FILE: join(dir, 'keys', 'public.pem'),
        // nginx is the proxy in front: its X-Forwarded-For is read, from it alone.
        TRUST_PROXY: '127.0.0.1',
        PUBLIC_URL: 'http://127.0.0.1:1',
        LOG_LEVEL: 'info',
      }),
      'project-server listening',
    );
    replicas = launched.runs;
    nginx = await startNginx(nginxHttpBlock(launched.ports));
  }, 120_000);

  afterAll(async () => {
    await stopApps(replicas);
    await Promise.all([nginx?.stop(), redis?.stop(), pg?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-robin: calls through nginx are served by every replica', async () => {
    const before = replicas.map((r) => r.out().split('"tool_call"').length);
    for (let i = 0; i < 30; i++) expect((await createTask(nginx.url, `rr-${i}`)).kind).toBe('ok');
    const served = replicas.map((r, i) => r.out().split('"tool_call"').length - (before[i] as number));
    for (const n of served) expect(n).toBeGreaterThanOrEqual(5);
  });

  it('PostgreSQL restarted under load through nginx: calls say so at once, then work again, no replica restarted; acknowledged writes stay', async () => {
    const pids = replicas.map((r) => r.child.pid);
    const jobs = Array.from({ length: 600 }, (_, i) => () => createTask(nginx.url, `pg-restart-${i}`));
    const restarter = (async () => {
      await new Promise((r) => setTimeout(r, 400)); // once writes are flowing
      await pg.restart(); // a fast shutdown, then a start on the same port and data
    })();
    const outcomes = await inPool(jobs, 16);
    await restarter;
    const count = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
    // Every answer is a result or "PostgreSQL cannot be reached": no 502 or 504 from nginx, no 500, no hang.
    expect(outcomes.filter((o) => o.kind === 'failed')).toEqual([]);
    expect(count('unavailable')).toBeGreaterThan(0);
    // Back without a restart: every replica serves writes again.
    await expect.poll(async () => (await createTask(nginx.url, 'pg-back')).kind, { timeout: 20_000 }).toBe('ok');
    const before = replicas.map((r) => r.out().split('"tool_call"').length);
    for (let i = 0; i < 30; i++) expect((await createTask(nginx.url, `pg-after-${i}`)).kind).toBe('ok');
    replicas.forEach((r, i) => {
      expect(r.out().split('"tool_call"').length - (before[i] as number)).toBeGreaterThan(0);
      expect(r.child.pid).toBe(pids[i]);
      expect(r.child.exitCode).toBeNull();
    });
    // An acknowledged write was committed, so the restart kept it.
    const acknowledged = outcomes.flatMap((o) => (o.kind === 'ok' ? [o.taskId] : []));
    const stored = new Set(pg.psql("SELECT id FROM project_server.tasks WHERE task_name LIKE 'pg-restart-%'").split('\n').filter(Boolean));
    for (const id of acknowledged) expect(stored.has(id)).toBe(true);
    console.log(
      `PostgreSQL restart through nginx: ${acknowledged.length} writes acknowledged, ${count('unavailable')} answered "PostgreSQL cannot be reached", 0 other failures`,
    );
  }, 120_000);

  it('1,000 concurrent writes while one replica is killed: every acknowledged write is stored, once', async () => {
    const victim = replicas[1] as LaunchedProcess;
    const jobs = Array.from({ length: 1000 }, (_, i) => () => createTask(nginx.url, `kill-${i}`));
    const killer = (async () => {
      // Once writes are flowing through all three.
      await new Promise((r) => setTimeout(r, 400));
      await crash(victim);
    })();
    const outcomes = await inPool(jobs, 48);
    await killer;
    const acknowledged = outcomes.filter((o): o is Extract<Outcome, { kind: 'ok' }> => o.kind === 'ok');
    const failed = outcomes.filter((o) => o.kind === 'failed');
    expect(victim.child.signalCode).toBe('SIGKILL');
    // Only what the killed replica held can fail (at most the requests in flight: the pool's width).
    expect(failed.length).toBeLessThanOrEqual(48);
    expect(acknowledged.length).toBeGreaterThanOrEqual(1000 - 48);
    const ids = acknowledged.map((o) => o.taskId);
    expect(new Set(ids).size).toBe(ids.length);
    const stored = pg.psql("SELECT id FROM project_server.tasks WHERE task_name LIKE 'kill-%'").split('\n').filter(Boolean);
    const storedSet = new Set(stored);
    expect(storedSet.size).toBe(stored.length); // no row twice
    for (const id of ids) expect(storedSet.has(id)).toBe(true);
    // A write may have committed just before its replica died, unanswered: stored, not acknowledged.
    expect(stored.length - ids.length).toBeLessThanOrEqual(failed.length);
    // The survivors still answer.
    expect((await createTask(nginx.url, 'after')).kind).toBe('ok');
  }, 120_000);
});
