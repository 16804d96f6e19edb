/**
 * The process-level suite every method 3 resource server app runs (hr-server, project-server,
 * crm-server): it starts on its own database (created and seeded on first start), verifies tokens
 * against a pinned public key, enforces the policy, stops cleanly, refuses a broken policy or key
 * file, and is ready (GET /ready) only while it holds the issuer's keys and its database is readable.
 * Test support only: exported under `@mcp-auth/mcp-fastify/testing` from source, never built.
 */
import { createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRs256TokenIssuer, loadKeySet, publicJwk, writeKeyPair } from '@mcp-auth/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launchApp } from './process.js';

/** A token as the issuer would sign it; its iss is the issuer's URL, what the servers expect by default. */
const token = async (dir: string, role: string, issuer = 'http://127.0.0.1:8000') => {
  const keys = loadKeySet(join(dir, 'keys'));
  const { token } = await createRs256TokenIssuer({
    keys: { current: () => keys.signing },
    issuer,
    ttlSeconds: 300,
  }).issue({
    subject: 'alice',
    audience: 'my-mcp-server',
    scope: 'mcp',
    claims: { job_role: role, id: 'EMP-001' },
  });
  return token;
};

export function describeResourceServerProcess(name: string, appDir: string): void {
  describe(`${name} process`, () => {
    const dir = mkdtempSync(join(tmpdir(), `${name}-`));
    beforeAll(() => {
      writeKeyPair(join(dir, 'keys'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const start = (env: Record<string, string>) =>
      launchApp(appDir, { DATA_DIR: join(dir, 'data'), PUBLIC_KEY_FILE: join(dir, 'keys', 'public.pem'), LOG_LEVEL: 'info', ...env });

    it('starts, seeds its database once, and answers by role', async () => {
      const port = await freePort();
      const run = start({ PORT: String(port) });
      await expect.poll(() => run.out(), { timeout: 45_000 }).toContain(`${name} listening`);
      expect(existsSync(join(dir, 'data', `${name}.db`))).toBe(true);
      const list = async (role: string) =>
        fetch(`http://127.0.0.1:${port}/mcp`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await token(dir, role)}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
      const manager = await list('Manager');
      expect(manager.status).toBe(200);
      expect(((await manager.json()) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(5);
      expect((await list('Officer')).status).toBe(403);
      const prm = await fetch(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource`);
      expect(await prm.json()).toMatchObject({ resource: `http://127.0.0.1:${port}/`, authorization_servers: ['http://127.0.0.1:8000'] });
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    });

    it('refuses to start on a policy file with mistakes, naming each one', async () => {
      const policy = join(dir, 'bad-policy.json');
      writeFileSync(
        policy,
        JSON.stringify({ version: 1, servers: {}, roles: { Manager: { access: { 'nowhere-server': { tools: '*', rows: 'some' } } } } }),
      );
      const run = start({ PORT: String(await freePort()), RBAC_POLICY_FILE: policy });
      expect(await run.exited).toBe(1);
      expect(run.err()).toContain(`The RBAC policy ${policy} is invalid`);
      expect(run.err()).toContain('roles.Manager.access.nowhere-server.rows');
      expect(run.err()).not.toContain('    at ');
    });

    it('refuses to start on a ROLE_MAP naming a role the policy does not have, in one sentence', async () => {
      const run = start({ PORT: String(await freePort()), ROLE_MAP: 'hr-managers=Manager,hr-staff=Staff' });
      expect(await run.exited).toBe(1);
      expect(run.err()).toContain('ROLE_MAP maps "hr-staff" to Staff, which is not a role of the RBAC policy');
      expect(run.err()).not.toContain('    at ');
    });

    it('refuses to start on a pinned key file that is not a public key, naming it', async () => {
      const run = start({ PORT: String(await freePort()), PUBLIC_KEY_FILE: join(dir, 'keys', 'private.pem') });
      expect(await run.exited).toBe(1);
      expect(run.err()).toContain(`${join(dir, 'keys', 'private.pem')} holds a private key, not a public one; copy public.pem`);
      expect(run.err()).not.toContain('    at ');
    });

    it("is ready only with the issuer's keys and a readable database, and says why not", async () => {
      const [port, issuerPort] = [await freePort(), await freePort()];
      const dataDir = join(dir, 'data-ready');
      const run = start({
        PORT: String(port),
        DATA_DIR: dataDir,
        PUBLIC_KEY_FILE: '',
        ISSUER_URL: `http://127.0.0.1:${issuerPort}`,
        REVOCATION_POLL_SECONDS: '1',
      });
      const base = `http://127.0.0.1:${port}`;
      const ready = async () => {
        const res = await fetch(`${base}/ready`);
        return { status: res.status, body: await res.json() };
      };
      // The issuer stand-in: its JWKS and its revocation feed (empty), in the issuer's formats.
      const jwks = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/revocations') {
          res.end(JSON.stringify({ issuer: 'stand-in', generated_at: Math.floor(Date.now() / 1000), clients: [], tokens: [] }));
          return;
        }
        const jwk = publicJwk(createPublicKey(readFileSync(join(dir, 'keys', 'public.pem'))));
        res.end(JSON.stringify({ keys: [jwk] }));
      });
      try {
        await expect.poll(() => run.out(), { timeout: 45_000 }).toContain(`${name} listening`);
        // The issuer was never reached: alive, but not ready, and saying why.
        expect((await fetch(`${base}/health`)).status).toBe(200);
        await expect.poll(ready, { timeout: 10_000 }).toMatchObject({
          status: 503,
          body: {
            status: 'not_ready',
            checks: {
              issuer_keys: { ok: false, reason: expect.stringContaining('ECONNREFUSED') },
              // No revocation list yet either: a revoked token would be accepted.
              revocations: { ok: false, reason: expect.stringContaining('no revocation list') },
              database: { ok: true },
            },
          },
        });

        // The issuer comes up: the server fetches its keys and list in the background and becomes ready
        // without waiting for a request.
        await new Promise<void>((resolve) => jwks.listen(issuerPort, '127.0.0.1', resolve));
        await expect.poll(ready, { timeout: 15_000 }).toMatchObject({
          status: 200,
          body: { status: 'ready', checks: { issuer_keys: { ok: true, keys: 1 }, revocations: { ok: true }, database: { ok: true } } },
        });
        const call = await fetch(`${base}/mcp`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${await token(dir, 'Manager', `http://127.0.0.1:${issuerPort}`)}`,
            'content-type': 'application/json',
            accept: 'application/json',
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
        expect(call.status).toBe(200);
        await expect.poll(ready, { timeout: 10_000 }).toMatchObject({
          status: 200,
          body: { status: 'ready', checks: { issuer_keys: { ok: true, keys: 1 }, database: { ok: true } } },
        });

        // The database file is overwritten under the running server.
        writeFileSync(join(dataDir, `${name}.db`), Buffer.alloc(16_384, 0x41));
        await expect.poll(ready, { timeout: 10_000 }).toMatchObject({
          status: 503,
          body: {
            status: 'not_ready',
            checks: { database: { ok: false, reason: expect.stringContaining(`${name}.db: file is not a database`) } },
          },
        });
      } finally {
        run.child.kill('SIGTERM');
        await run.exited;
        jwks.close();
      }
    });
  });
}
