// `keys revoke` against a server process under load: the command says requests with the key now get
// 401, so every request sent once that message is printed must get 401, though the server keeps the key's
// record in memory and re-reads the database only every 100 ms.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, launchApp } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, 'node_modules', '.bin', 'tsx');
let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'revoke-load-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const keys = async (...args: string[]) =>
  (
    await promisify(execFile)(tsx, ['--conditions=mcp-auth-source', 'src/keys-cli.ts', ...args], {
      cwd: appDir,
      env: { ...process.env, DATA_DIR: dataDir },
    })
  ).stdout;

/** Runs `keys revoke`, calling `onMessage` the moment its message is printed (what a person acts on). */
const revoke = (id: string, onMessage: () => void) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(tsx, ['--conditions=mcp-auth-source', 'src/keys-cli.ts', 'revoke', id], {
      cwd: appDir,
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Revoked key')) onMessage();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`keys revoke exited ${code}`))));
  });

describe('keys revoke under load', () => {
  it('every request sent after the command says so gets 401', async () => {
    const key = (await keys('create', '--name', 'loaded')).trimEnd().split('\n').at(-1) as string;
    const id = key.slice(5, 21);
    const port = await freePort();
    // The failed-auth limit is raised so the 401s after the revocation stay 401s, not 429s.
    const server = launchApp(appDir, { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', AUTH_FAILURES_PER_MINUTE: '100000' });
    try {
      await expect
        .poll(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status, { timeout: 45_000 })
        .toBe(200);
      const ping = async () =>
        (
          await fetch(`http://127.0.0.1:${port}/mcp`, {
            method: 'POST',
            headers: { 'x-api-key': key, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
          })
        ).status;

      let returned = false;
      let stopped = false;
      const before: number[] = [];
      const after: number[] = [];
      // Eight clients in a loop; each request is filed by whether it was sent after the message was printed.
      const client = async () => {
        while (after.length < 80 && !stopped) {
          const sentAfterReturn = returned;
          const status = await ping();
          (sentAfterReturn ? after : before).push(status);
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, client));
      try {
        await expect.poll(() => before.length, { timeout: 20_000 }).toBeGreaterThan(20);
        const message = await revoke(id, () => {
          returned = true;
        });
        expect(message).toContain(`Revoked key ${id} ("loaded"). Requests with it now get 401`);
      } finally {
        stopped = returned ? stopped : true;
        await load;
      }
      expect(before).toContain(200); // the key worked under this load until the revocation
      expect(after.filter((s) => s !== 401)).toEqual([]);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 180_000); // two tsx processes and a CLI start on a shared machine
});
