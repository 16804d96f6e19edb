// /ready as an operator's probe sees it: ready with a readable database; not ready, with the reason,
// once the database file is overwritten under the running process. /health stays ok throughout.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launchApp } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'jwt-server-ready-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('jwt-server readiness', () => {
  it('is ready with its database and not ready once the file is overwritten under it', async () => {
    const port = await freePort();
    const run = launchApp(appDir, { DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info', JWT_SECRET: '', NODE_ENV: 'development' });
    const base = `http://127.0.0.1:${port}`;
    const ready = async () => {
      const res = await fetch(`${base}/ready`);
      return { status: res.status, body: await res.json() };
    };
    try {
      await expect.poll(() => run.out(), { timeout: 45_000 }).toContain('jwt-server listening');
      expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: { ok: true } } } });
      writeFileSync(join(dataDir, 'jwt-server.db'), Buffer.alloc(16_384, 0x41));
      await expect.poll(ready, { timeout: 10_000 }).toMatchObject({
        status: 503,
        body: {
          status: 'not_ready',
          checks: { database: { ok: false, reason: expect.stringContaining('jwt-server.db: file is not a database') } },
        },
      });
      expect((await fetch(`${base}/health`)).status).toBe(200);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });
});
