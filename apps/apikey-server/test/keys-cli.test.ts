// The key CLI as a user runs it: create prints the key alone on the last line, the server accepts it,
// list shows no secrets, revoke makes the server refuse it, rotate keeps the old key for the overlap.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '@mcp-auth/mcp-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openKeyStore } from '../src/key-store.js';
import { JSON_HEADERS, rpc } from './harness.js';

const run = promisify(execFile);
const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, 'node_modules', '.bin', 'tsx');
let dataDir: string;

async function keys(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(tsx, ['--conditions=mcp-auth-source', 'src/keys-cli.ts', ...args], {
      cwd: appDir,
      env: { ...process.env, DATA_DIR: dataDir },
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

/** Asks a freshly built server (reading the same database) whether `key` is accepted. */
async function status(key: string): Promise<number> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const { store } = await openKeyStore(config);
  const app = await buildApp(config, { store, logger: createLogger({ level: 'silent' }) });
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${base}/mcp`, { method: 'POST', headers: { ...JSON_HEADERS, 'X-API-Key': key }, body: rpc('ping') });
    return res.status;
  } finally {
    await app.close();
    await store.close();
  }
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'keys-cli-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('keys CLI', () => {
  it('create, use, list, rotate, revoke, refused', async () => {
    const created = await keys('create', '--name', 'ci-bot', '--ttl', '30d');
    expect(created.code).toBe(0);
    const lines = created.stdout.trimEnd().split('\n');
    const key = lines.at(-1) as string;
    expect(key).toMatch(/^mcpk_[0-9a-z]{16}_[A-Za-z0-9_-]{43}$/);
    const id = key.slice(5, 21);
    expect(await status(key)).toBe(200);

    const listed = await keys('list', '--json');
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(key.slice(22));
    const rows = JSON.parse(listed.stdout) as Array<{ id: string; name: string; status: string; lastUsed: string }>;
    expect(rows).toEqual([expect.objectContaining({ id, name: 'ci-bot', status: 'active' })]);
    expect(rows[0]?.lastUsed).not.toBe('-'); // the server recorded the use

    const rotated = await keys('rotate', id, '--overlap', '1h');
    expect(rotated.code).toBe(0);
    const newKey = rotated.stdout.trimEnd().split('\n').at(-1) as string;
    expect(newKey).toMatch(/^mcpk_/);
    expect(newKey).not.toBe(key);
    expect(await status(key)).toBe(200); // still inside the overlap
    expect(await status(newKey)).toBe(200);

    const revoked = await keys('revoke', id);
    expect(revoked.code).toBe(0);
    expect(await status(key)).toBe(401);
    expect(await status(newKey)).toBe(200);

    const again = await keys('revoke', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already revoked');
  }, 60_000);

  it('explains bad usage with exit code 1', async () => {
    const none = await keys();
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Usage:');
    const badTtl = await keys('create', '--name', 'x', '--ttl', 'forever');
    expect(badTtl.code).toBe(1);
    expect(badTtl.stderr).toContain('not a duration');
    const noName = await keys('create');
    expect(noName.stderr).toContain('--name');
    const unknown = await keys('frobnicate');
    expect(unknown.stderr).toContain('unknown command');
  }, 60_000);
});
