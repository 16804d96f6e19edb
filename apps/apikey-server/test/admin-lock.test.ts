// The server and the `keys` command share one database file. While another process holds its write
// lock (a long admin write), requests are still served (the last-used stamp is skipped, not waited
// for), the `keys` command waits its busy timeout and then says the database is busy, writing
// nothing; once the lock is free the command works and the running server sees its new key.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@mcp-auth/auth';
import { freePort, holdWriteLock, type LaunchedProcess, launchApp, untilOutput } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'apikey-lock-'));
const dbPath = join(dataDir, 'apikey-server.db');
let server: LaunchedProcess;
let url: string;
let demoKey: string;

/** Runs `keys <args>` as a user would and waits for it to exit. */
async function keysCommand(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const run = launchApp(appDir, { DATA_DIR: dataDir }, 'src/keys-cli.ts', args);
  const code = await run.exited;
  return { code, out: run.out(), err: run.err() };
}

const status = async (key: string) =>
  (
    await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    })
  ).status;

beforeAll(async () => {
  server = launchApp(appDir, { DATA_DIR: dataDir, PORT: String(await freePort()), LOG_LEVEL: 'info' });
  await untilOutput(server, 'apikey-server listening');
  url = /"url":"([^"]+)"/.exec(server.out())?.[1] as string;
  // The demo key is never printed: it is in the 0600 file the log names.
  demoKey = (JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as { api_key: string }).api_key;
});
afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('apikey-server and the keys command while another process holds the write lock', () => {
  it('serves requests, refuses the command in plain words with nothing written, and recovers', async () => {
    const holder = holdWriteLock(dbPath);
    await holder.locked;
    try {
      // The demo key's first use: its last-used stamp cannot be written now and is skipped.
      expect(await status(demoKey)).toBe(200);
      const blocked = await keysCommand('create', '--name', 'blocked');
      expect(blocked.code).toBe(1);
      expect(blocked.err).toBe('keys: The database is busy (another process is writing); nothing was changed, try again\n');
      expect(blocked.out).not.toMatch(/mcpk_/);
    } finally {
      expect(await holder.release()).toBe(0);
    }
    const db = openDatabase(dbPath);
    expect(db.prepare("SELECT count(*) AS n FROM api_keys WHERE name = 'blocked'").get()).toMatchObject({ n: 0 });
    db.close();

    const created = await keysCommand('create', '--name', 'after-lock');
    expect(created.code).toBe(0);
    const key = created.out.trim().split('\n').at(-1) as string;
    // The running server, whose connection met the lock, reads the command's write.
    await expect.poll(() => status(key), { timeout: 5000 }).toBe(200);
    expect(await status(demoKey)).toBe(200);
  });
});
