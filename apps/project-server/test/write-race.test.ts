// Two project-server processes on one DATA_DIR, as two replicas or a second `pnpm dev` would run:
// they start together (one seeds, one waits), take 1,000 concurrent writes between them, and every
// write is either acknowledged and in the database afterwards, or refused with the busy tool error,
// and nothing else. Then another process holds the write lock past the busy timeout: the write that
// meets it is refused in plain words, and the next one succeeds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRs256TokenIssuer, loadKeySet, openDatabase, writeKeyPair } from '@mcp-auth/auth';
import { callTool, holdWriteLock, inPool, type LaunchedProcess, launchReplicas, stopApps } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const BUSY = 'The database is busy (another process is writing); nothing was changed, try again';
const dir = mkdtempSync(join(tmpdir(), 'project-race-'));
const dataDir = join(dir, 'data');
let runs: LaunchedProcess[] = [];
let urls: string[] = [];
let token: string;

interface CallOutcome {
  name: string;
  kind: 'ok' | 'busy' | 'other';
  taskId?: string;
  detail?: string;
}

async function createTask(url: string, name: string): Promise<CallOutcome> {
  const res = await callTool(url, { authorization: `Bearer ${token}` }, 'create_project_task', {
    project_id: 'PROJ-002',
    task_name: name,
    description: 'written during the race',
    assigned_to: 'EMP-003',
    priority: 'low',
    estimated_hours: 1,
    due_date: '2030-01-01',
  });
  const text = await res.text();
  if (res.status !== 200) return { name, kind: 'other', detail: `HTTP ${res.status} ${text.slice(0, 200)}` };
  const body = JSON.parse(text) as {
    result?: { isError?: boolean; content: Array<{ text: string }>; structuredContent?: { task: { id: string } } };
  };
  if (body.result && !body.result.isError) return { name, kind: 'ok', taskId: body.result.structuredContent?.task.id };
  if (body.result?.isError && body.result.content[0]?.text === BUSY) return { name, kind: 'busy' };
  return { name, kind: 'other', detail: text.slice(0, 300) };
}

const tasksNamed = (prefix: string) => {
  const db = openDatabase(join(dataDir, 'project-server.db'));
  try {
    return db.prepare('SELECT id, task_name FROM tasks WHERE task_name LIKE ?').all(`${prefix}%`) as Array<{
      id: string;
      task_name: string;
    }>;
  } finally {
    db.close();
  }
};

beforeAll(async () => {
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
  // Both start at once on a fresh DATA_DIR: both migrate and seed, which must happen exactly once.
  ({ runs, urls } = await launchReplicas(
    appDir,
    2,
    () => ({ DATA_DIR: dataDir, PUBLIC_KEY_FILE: join(dir, 'keys', 'public.pem'), LOG_LEVEL: 'info' }),
    'project-server listening',
  ));
});

afterAll(async () => {
  await stopApps(runs);
  rmSync(dir, { recursive: true, force: true });
});

describe('two project-server processes on one DATA_DIR', () => {
  it('seeded once although both started together', () => {
    const db = openDatabase(join(dataDir, 'project-server.db'));
    expect((db.prepare('SELECT count(*) AS n FROM projects').get() as { n: number }).n).toBe(3);
    db.close();
  });

  it('1,000 concurrent writes split over both: each acknowledged one is stored, the others refused as busy', async () => {
    const jobs = Array.from({ length: 1000 }, (_, i) => () => createTask(urls[i % 2] as string, `race-${i}`));
    const outcomes = await inPool(jobs, 40);
    expect(outcomes.filter((o) => o.kind === 'other')).toEqual([]);
    const acknowledged = outcomes.filter((o) => o.kind === 'ok');
    const stored = new Map(tasksNamed('race-').map((row) => [row.task_name, row.id]));
    // Exactly the acknowledged writes are there, each under the id its caller was told.
    expect(stored.size).toBe(acknowledged.length);
    for (const o of acknowledged) expect(stored.get(o.name)).toBe(o.taskId);
    expect(new Set(stored.values()).size).toBe(stored.size);
    // And both servers still write afterwards.
    for (const url of urls) expect((await createTask(url, `after-race-${url}`)).kind).toBe('ok');
  });

  it('a write that meets a lock held past the busy timeout is refused in plain words; the next one succeeds', async () => {
    const holder = holdWriteLock(join(dataDir, 'project-server.db'), 6500);
    await holder.locked;
    const [first, second] = urls as [string, string];
    const during = await createTask(first, 'during-lock');
    expect(during).toMatchObject({ kind: 'busy' });
    expect(await holder.exited).toBe(0);
    expect((await createTask(first, 'after-lock-1')).kind).toBe('ok');
    expect((await createTask(second, 'after-lock-2')).kind).toBe('ok');
    expect(tasksNamed('during-lock')).toEqual([]);
  });
});
