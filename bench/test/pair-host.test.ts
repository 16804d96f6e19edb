// pair-host.mjs serves an entry twice in one process, each instance with its own settings: what the
// bench's one-process measure of auth relies on (a server and its auth-off twin, one pid).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, describe, expect, it } from 'vitest';

const host = join(import.meta.dirname, '..', 'src', 'deploy', 'pair-host.mjs');
const entry = join(import.meta.dirname, 'fixtures', 'settings-echo.mjs');
const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const child of children) child.kill();
});

async function settingsAt(port: number): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    try {
      return (await (await fetch(`http://127.0.0.1:${port}/settings`)).json()) as Record<string, unknown>;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`nothing answers on ${port}`);
}

describe('pair-host', () => {
  it('starts the entry twice in one process, each with its own settings, and no setting leaks from one to the other', async () => {
    const [onPort, offPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [host, entry], {
      env: {
        ...process.env,
        DATA_DIR: '/shared',
        // The first instance's DATA_DIR must not reach the second, which sets none of its own.
        PAIR_ON: JSON.stringify({ PORT: String(onPort), DATA_DIR: '/own' }),
        PAIR_OFF: JSON.stringify({ PORT: String(offPort), INSECURE_DISABLE_AUTH: 'true' }),
      },
      stdio: 'ignore',
    });
    children.push(child);
    const [on, off] = [await settingsAt(onPort), await settingsAt(offPort)];
    expect(on).toEqual({ port: String(onPort), dataDir: '/own', authOff: null, pid: child.pid });
    expect(off).toEqual({ port: String(offPort), dataDir: '/shared', authOff: 'true', pid: child.pid });
  });

  it('says how to use it when no entry is given', async () => {
    const child = spawn(process.execPath, [host], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(err).toContain('usage: node pair-host.mjs');
  });
});
