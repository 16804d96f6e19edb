// apikey-server with DATABASE_URL: two replicas (real processes) on one real PostgreSQL share their
// keys. A key created by the keys command works at both, a key revoked through the command is refused
// by both once the command returns, of two replicas started together on an empty database one creates
// the demo key and it works at the other, and a PostgreSQL restart answers 503 with Retry-After while it lasts, then works again with
// no replica restarted. Skipped, saying why, where PostgreSQL's binaries are not installed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  callTool,
  type LaunchedProcess,
  launchReplicas,
  missingService,
  type RunningService,
  runToEnd,
  startPostgres,
  stopApps,
} from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const missing = missingService('postgres');

let pg: RunningService & { psql: (sql: string) => string };
let dataDirs: string[] = [];
let replicas: LaunchedProcess[] = [];
let env: Record<string, string>;

const call = (url: string, key: string) => callTool(url, { 'x-api-key': key }, 'get_time', { timezone: 'UTC' });
const keys = (...args: string[]) =>
  runToEnd(appDir, { ...env, DATA_DIR: dataDirs[0] as string, LOG_LEVEL: 'silent' }, 'src/keys-cli.ts', args);

describe.skipIf(missing)(`apikey-server on PostgreSQL ${missing ?? ''}`, () => {
  let urls: string[];
  let demoKey: string;
  let demoFiles: number;

  beforeAll(async () => {
    pg = await startPostgres();
    env = { DATABASE_URL: pg.url, LOG_LEVEL: 'info' };
    dataDirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'apikey-pg-')));
    // Started together: both migrate the same empty schema, and it must happen once.
    ({ runs: replicas, urls } = await launchReplicas(
      appDir,
      2,
      (i) => ({ ...env, DATA_DIR: dataDirs[i] as string }),
      'apikey-server listening',
    ));
    // Dev mode: the first to find no keys creates the demo key and saves it in its own DATA_DIR.
    const saved = dataDirs.map((dir) => {
      try {
        return JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8')).api_key as string;
      } catch {
        return undefined;
      }
    });
    demoKey = saved.find((k) => k !== undefined) as string;
    demoFiles = saved.filter((k) => k !== undefined).length;
  }, 120_000);

  afterAll(async () => {
    await stopApps(replicas);
    await pg?.stop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('migrates once when replicas start together, keeps the keys in its own schema, and makes one demo key', () => {
    expect(pg.psql("SELECT component || '=' || version FROM apikey_server.schema_migrations")).toContain('api_keys=3');
    // Both found an empty database at start; one of them created the demo key, the other says where it is.
    expect(Number(pg.psql('SELECT count(*) FROM apikey_server.api_keys'))).toBe(1);
    expect(demoFiles).toBe(1);
  });

  it('a key one replica created works at the other', async () => {
    expect(demoKey).toMatch(/^mcpk_/);
    for (const url of urls) expect((await call(url, demoKey)).status).toBe(200);
  });

  it('a key created by the keys command works at every replica; revoked, it is refused by every replica when the command returns', async () => {
    const created = (await keys('create', '--name', 'shared')).trimEnd().split('\n');
    const key = created.at(-1) as string;
    for (const url of urls) expect((await call(url, key)).status).toBe(200);
    const revoked = await keys('revoke', key.slice(5, 21));
    expect(revoked).toContain('PostgreSQL');
    expect(revoked).not.toContain('password');
    for (const url of urls) {
      const res = await call(url, key);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('API key revoked');
    }
  });

  it('while PostgreSQL is down: 503 with Retry-After and a plain reason, /ready says not ready; once it is back, 200 with no restart', async () => {
    await pg.stop();
    for (const url of urls) {
      // The next look at the store is due within 100 ms; until PostgreSQL answers, nothing is trusted.
      await new Promise((r) => setTimeout(r, 150));
      const res = await call(url, demoKey);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = (await res.json()) as { error: string; error_description: string };
      expect(body.error).toBe('temporarily_unavailable');
      expect(body.error_description).toMatch(/PostgreSQL/);
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks.database?.ok).toBe(false);
    }
    await pg.restart();
    for (const url of urls) {
      await expect.poll(async () => (await call(url, demoKey)).status, { timeout: 15_000 }).toBe(200);
      // /ready keeps its report for up to a second (REPORT_MAX_AGE_MS).
      await expect.poll(async () => (await fetch(`${url}/ready`)).status, { timeout: 5_000 }).toBe(200);
    }
    for (const r of replicas) expect(r.child.exitCode).toBeNull();
    // The outage is logged, not once per request: one line per replica for its repeated refusals.
    for (const r of replicas)
      expect(
        r
          .out()
          .split('\n')
          .filter((l) => l.includes('database unavailable: request refused')).length,
      ).toBe(1);
  }, 60_000);
});
