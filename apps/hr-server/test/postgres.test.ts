// hr-server with DATABASE_URL: two replicas (real processes, one public key) on one real PostgreSQL.
// They migrate and seed once when started together; a leave request written through one is read
// and approved through the other; requests for overlapping leave sent at once to both replicas
// make one request; while PostgreSQL is down a tool call is answered at once with a result that says
// so and /ready is 503, and once it is back the same call works, with no replica restarted. Skipped,
// saying why, where PostgreSQL's binaries are not installed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRs256TokenIssuer, loadKeySet, writeKeyPair } from '@mcp-auth/auth';
import {
  callTool,
  type LaunchedProcess,
  launchReplicas,
  missingService,
  type RunningService,
  startPostgres,
  stopApps,
} from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const missing = missingService('postgres');

let pg: RunningService & { psql: (sql: string) => string };
let dir: string;
let replicas: LaunchedProcess[] = [];
let urls: [string, string];
const tokens: Record<string, string> = {};

type ToolAnswer = { isError?: boolean; content: Array<{ text: string }>; structuredContent?: Record<string, unknown> };
async function call(url: string, who: string, name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
  const res = await callTool(url, { authorization: `Bearer ${tokens[who]}` }, name, args);
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: ToolAnswer }).result;
}

describe.skipIf(missing)(`hr-server on PostgreSQL ${missing ?? ''}`, () => {
  beforeAll(async () => {
    pg = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'hr-pg-'));
    writeKeyPair(join(dir, 'keys'));
    const keys = loadKeySet(join(dir, 'keys'));
    const issuer = createRs256TokenIssuer({ keys: { current: () => keys.signing }, issuer: 'http://127.0.0.1:8000', ttlSeconds: 600 });
    const as = (subject: string, role: string, id: string) =>
      issuer.issue({ subject, audience: 'my-mcp-server', scope: 'mcp', claims: { job_role: role, id } });
    tokens.alice = (await as('alice', 'Manager', 'EMP-001')).token;
    tokens.dave = (await as('david', 'Manager', 'EMP-004')).token;
    const launched = await launchReplicas(
      appDir,
      2,
      (i) => ({
        DATABASE_URL: pg.url,
        DATA_DIR: join(dir, `data-${i}`),
        PUBLIC_KEY_FILE: join(dir, 'keys', 'public.pem'),
        LOG_LEVEL: 'info',
      }),
      'hr-server listening',
    );
    replicas = launched.runs;
    urls = launched.urls as [string, string];
  }, 120_000);

  afterAll(async () => {
    await stopApps(replicas);
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates and seeds once when replicas start together, in its own schema', () => {
    expect(pg.psql("SELECT component || '=' || version FROM hr_server.schema_migrations")).toBe('hr=4');
    expect(pg.psql('SELECT count(*) FROM hr_server.employees')).toBe('6');
    expect(pg.psql('SELECT count(*) FROM hr_server.leave_requests')).toBe('5');
  });

  it('a leave request written through one replica is read and approved through the other', async () => {
    const created = await call(urls[0], 'alice', 'create_leave_request', {
      employee_id: 'EMP-006',
      leave_type: 'annual',
      start_date: '2031-05-04',
      end_date: '2031-05-05',
      reason: 'Trip',
    });
    expect(created.isError).toBeFalsy();
    const id = (created.structuredContent as { leave_request: { id: string } }).leave_request.id;
    const listed = await call(urls[1], 'alice', 'get_leave_requests', { employee_id: 'EMP-006', status: 'pending' });
    expect((listed.structuredContent as { leave_requests: Array<{ id: string }> }).leave_requests.map((r) => r.id)).toContain(id);
    const approved = await call(urls[1], 'dave', 'approve_leave_request', { request_id: id });
    expect(approved.structuredContent?.leave_request).toMatchObject({ id, status: 'approved', decided_by: 'david' });
    expect(pg.psql("SELECT annual_leave_balance FROM hr_server.employees WHERE id = 'EMP-006'")).toBe('23');
  });

  it('overlapping leave sent at once to both replicas makes one request', async () => {
    const request = { employee_id: 'EMP-002', leave_type: 'sick', start_date: '2031-06-01', end_date: '2031-06-02', reason: 'Flu' };
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => call(urls[i % 2] as string, 'alice', 'create_leave_request', request)),
    );
    expect(answers.filter((a) => !a.isError)).toHaveLength(1);
    for (const a of answers.filter((x) => x.isError)) expect(a.content[0]?.text).toContain('overlaps leave request');
    expect(pg.psql("SELECT count(*) FROM hr_server.leave_requests WHERE employee_id = 'EMP-002' AND start_date = '2031-06-01'")).toBe('1');
  });

  it('while PostgreSQL is down a tool call says so at once and /ready is 503; once it is back the call works, no restart', async () => {
    await pg.stop();
    for (const url of urls) {
      const started = Date.now();
      const answer = await call(url, 'alice', 'get_performance_reviews', { employee_id: 'EMP-003' });
      expect(answer.isError).toBe(true);
      expect(answer.content[0]?.text).toMatch(/PostgreSQL/);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await fetch(`${url}/ready`)).status).toBe(503);
    }
    await pg.restart();
    for (const url of urls) {
      await expect
        .poll(async () => (await call(url, 'alice', 'get_performance_reviews', { employee_id: 'EMP-003' })).isError ?? false, {
          timeout: 15_000,
        })
        .toBe(false);
      await expect.poll(async () => (await fetch(`${url}/ready`)).status, { timeout: 5_000 }).toBe(200);
    }
    for (const r of replicas) expect(r.child.exitCode).toBeNull();
  }, 60_000);
});
