// jwt-server as a process: dev mode generates its signing secret (0600) and the demo client once;
// production refuses a missing, default or weak secret; the clients CLI registers, rotates and revokes.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, launchApp } from '@mcp-auth/mcp-fastify/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, 'node_modules', '.bin', 'tsx');
let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'jwt-process-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const launch = (env: Record<string, string>) =>
  launchApp(appDir, { DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_ENV: 'development', JWT_SECRET: '', ...env });

async function clients(...args: string[]) {
  try {
    const r = await promisify(execFile)(tsx, ['--conditions=mcp-auth-source', 'src/clients-cli.ts', ...args], {
      cwd: appDir,
      env: { ...process.env, DATA_DIR: dataDir, JWT_SECRET: '' },
    });
    return { ...r, code: 0 };
  } catch (error) {
    return error as { stdout: string; stderr: string; code: number };
  }
}

async function token(base: string, id: string, secret: string) {
  return fetch(`${base}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
}

describe('dev mode', () => {
  it('generates a 0600 signing secret and the test_client once (its secret in a 0600 file, not on stdout), and reuses both after a restart', async () => {
    const port = await freePort();
    const first = launch({ PORT: String(port) });
    await expect.poll(() => first.out(), { timeout: 45_000 }).toContain('jwt-server listening');
    const demoFile = join(dataDir, 'demo-credentials.json');
    expect(statSync(demoFile).mode & 0o777).toBe(0o600);
    const secret = (JSON.parse(readFileSync(demoFile, 'utf8')) as { client_secret: string }).client_secret;
    expect(secret).toMatch(/^mcps_/);
    expect(first.out()).toContain(`demo client test_client created: the secrets are in ${demoFile}`);
    expect(first.out() + first.err()).not.toContain(secret);
    const secretFile = join(dataDir, 'jwt-secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretFile, 'utf8').trim()).toHaveLength(43);
    const before = (await (await token(`http://127.0.0.1:${port}`, 'test_client', secret)).json()) as { access_token: string };
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = launch({ PORT: String(port) });
    await expect.poll(() => second.out(), { timeout: 45_000 }).toContain('jwt-server listening');
    expect(second.out()).toContain('demo client test_client saved by an earlier start');
    expect(second.out() + second.err()).not.toContain('mcps_');
    // Same secret on disk: a token from before the restart still verifies.
    const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${before.access_token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});

describe('production refuses unfit secrets', () => {
  it.each([
    ['no secret at all', {}, 'JWT_SECRET (or JWT_SECRET_FILE) is required with NODE_ENV=production'],
    ["the article's my_super_secret_key", { JWT_SECRET: 'my_super_secret_key' }, 'well-known example secret'],
    ['a short secret', { JWT_SECRET: 'Zx8!kQ2#rT5' }, 'use at least 32 random bytes'],
    ['a long but repetitive secret', { JWT_SECRET: 'ab'.repeat(40) }, 'too few distinct characters'],
    ['a missing secret file', { JWT_SECRET_FILE: '/nonexistent/secret' }, 'JWT_SECRET_FILE=/nonexistent/secret does not exist'],
  ])('%s', async (_name, env, message) => {
    const run = launch({ NODE_ENV: 'production', PORT: String(await freePort()), ...env });
    expect(await run.exited).toBe(1);
    expect(run.err()).toContain(message);
    expect(run.err()).not.toContain('    at ');
  });

  it('starts with a strong secret and creates no demo client', async () => {
    const run = launch({ NODE_ENV: 'production', PORT: String(await freePort()), JWT_SECRET: 'q3V9xLr2Tz8WmK5pYc1Nf7Hd4Gs6Bj0Ua-Ee_Ri' });
    await expect.poll(() => run.out(), { timeout: 45_000 }).toContain('jwt-server listening');
    expect(run.out()).not.toContain('client_secret');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});

describe('clients CLI', () => {
  it('create, use, rotate with overlap, revoke: token requests and tokens issued before are refused', async () => {
    const created = await clients('create', 'ci-bot', '--name', 'CI');
    expect(created.code).toBe(0);
    const secret = created.stdout.trimEnd().split('\n').at(-1) as string;
    expect(secret).toMatch(/^mcps_[A-Za-z0-9_-]{43}$/);

    const port = await freePort();
    const server = launch({ PORT: String(port) });
    await expect.poll(() => server.out(), { timeout: 45_000 }).toContain('jwt-server listening');
    const base = `http://127.0.0.1:${port}`;
    try {
      expect((await token(base, 'ci-bot', secret)).status).toBe(200);
      const listed = await clients('list', '--json');
      expect(listed.stdout).not.toContain(secret);
      expect(JSON.parse(listed.stdout)).toEqual([
        expect.objectContaining({ clientId: 'ci-bot', name: 'CI', status: 'active', scopes: 'mcp' }),
      ]);

      const rotated = await clients('rotate', 'ci-bot', '--overlap', '1h');
      const newSecret = rotated.stdout.trimEnd().split('\n').at(-1) as string;
      expect(newSecret).not.toBe(secret);
      expect((await token(base, 'ci-bot', secret)).status).toBe(200);
      expect((await token(base, 'ci-bot', newSecret)).status).toBe(200);

      // A token issued before the revocation, working until then.
      const issued = ((await (await token(base, 'ci-bot', newSecret)).json()) as { access_token: string }).access_token;
      const ping = () =>
        fetch(`${base}/mcp`, {
          method: 'POST',
          headers: { authorization: `Bearer ${issued}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        });
      expect((await ping()).status).toBe(200);

      const revoked = await clients('revoke', 'ci-bot');
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain('Revoked client ci-bot: in force at this server now');
      const refused = await token(base, 'ci-bot', newSecret);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
      const afterRevoke = await ping();
      expect(afterRevoke.status).toBe(401);
      expect(afterRevoke.headers.get('www-authenticate')).toContain('error_description="Token revoked"');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const duplicate = await clients('create', 'ci-bot');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already exists');
    const bad = await clients('create', 'bad id!');
    expect(bad.stderr).toContain('not a valid client id');
  }, 180_000); // seven CLI processes and a server, one after another, on a shared 2-core machine
});
