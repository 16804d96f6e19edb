// The issuer and its commands as a user runs them: dev mode creates keys and demo identities once
// (secrets in a 0600 file and on the terminal, never on stdout/stderr, kept across a failed start);
// production refuses to start without keys; keys:generate refuses to overwrite; keys:rotate rotates.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, launchApp } from '@mcp-auth/mcp-fastify/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, 'node_modules', '.bin', 'tsx');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'issuer-process-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const env = () => ({
  ...process.env,
  DATA_DIR: join(dir, 'data'),
  MCP_AUTH_DIR: join(dir, 'mcp_auth'),
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
});

const launch = (extra: Record<string, string>) => launchApp(appDir, { ...env(), ...extra });

async function keys(...args: string[]) {
  try {
    return {
      ...(await promisify(execFile)(tsx, ['--conditions=mcp-auth-source', 'src/keys-cli.ts', ...args], { cwd: appDir, env: env() })),
      code: 0,
    };
  } catch (error) {
    return error as { stdout: string; stderr: string; code: number };
  }
}

const savedSecrets = (file: string) =>
  Object.fromEntries(
    Object.entries((JSON.parse(readFileSync(file, 'utf8')) as { clients: Record<string, { client_secret: string }> }).clients).map(
      ([id, c]) => [id, c.client_secret],
    ),
  );

const token = (port: number, id: string, secret: string) =>
  fetch(`http://127.0.0.1:${port}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });

describe('issuer process', () => {
  it('dev mode: generates the key pair (private 0600) and alice/bob/carol once; their secrets never reach stdout or stderr', async () => {
    const port = await freePort();
    const run = launch({ PORT: String(port) });
    await expect.poll(() => run.out(), { timeout: 45_000 }).toContain('issuer listening');
    expect(statSync(join(dir, 'mcp_auth', 'private.pem')).mode & 0o777).toBe(0o600);
    const file = join(dir, 'mcp_auth', 'demo-credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = savedSecrets(file);
    expect(Object.keys(saved)).toEqual(['alice', 'bob', 'carol']);
    expect(run.out()).toContain(`demo identities created: the secrets are in ${file}`);
    for (const secret of Object.values(saved)) {
      expect(run.out()).not.toContain(secret);
      expect(run.err()).not.toContain(secret);
    }
    expect(run.out() + run.err()).not.toContain('mcps_');
    expect((await token(port, 'alice', saved.alice as string)).status).toBe(200);
    const res = await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`);
    expect(((await res.json()) as { keys: unknown[] }).keys).toHaveLength(1);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const again = launch({ PORT: String(port) });
    await expect.poll(() => again.out(), { timeout: 45_000 }).toContain('issuer listening');
    expect(again.out()).toContain(`demo identities saved by an earlier start: the secrets are in ${file}`);
    expect(again.out()).not.toContain('mcps_');
    expect(savedSecrets(file)).toEqual(saved);
    again.child.kill('SIGTERM');
    await again.exited;
  });

  it('a first start that fails (port in use) loses no credential; the file gone, later starts issue new ones', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as { port: number }).port;
    const failed = launch({ PORT: String(busy) });
    expect(await failed.exited).toBe(1);
    blocker.close();
    expect(failed.err()).toContain('already in use');
    const file = join(dir, 'mcp_auth', 'demo-credentials.json');
    const saved = savedSecrets(file);

    const port = await freePort();
    const second = launch({ PORT: String(port) });
    await expect.poll(() => second.out(), { timeout: 45_000 }).toContain('issuer listening');
    expect(second.out()).toContain(`demo identities saved by an earlier start: the secrets are in ${file}`);
    for (const who of ['alice', 'bob', 'carol']) expect((await token(port, who, saved[who] as string)).status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    rmSync(file);
    const third = launch({ PORT: String(port) });
    await expect.poll(() => third.out(), { timeout: 45_000 }).toContain('issuer listening');
    expect(third.out()).toContain('demo identities issued again (their file was gone)');
    const reissued = savedSecrets(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await token(port, 'alice', reissued.alice as string)).status).toBe(200);
    expect((await token(port, 'alice', saved.alice as string)).status).toBe(401);
    third.child.kill('SIGTERM');
    await third.exited;
  }, 60_000);

  it('production without keys refuses to start and says how to make them', async () => {
    const run = launch({ NODE_ENV: 'production', PORT: String(await freePort()) });
    expect(await run.exited).toBe(1);
    expect(run.err()).toContain('No signing key');
    expect(run.err()).toContain('pnpm keys:generate');
    expect(existsSync(join(dir, 'mcp_auth', 'private.pem'))).toBe(false);
  });
});

describe('keys command', () => {
  it('generate refuses to overwrite without --force; rotate keeps the old public key', async () => {
    expect((await keys('generate')).code).toBe(0);
    const again = await keys('generate');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists; pass --force');
    expect((await keys('generate', '--force')).code).toBe(0);
    const rotated = await keys('rotate', '--publish-for', '2h');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/stays in the JWKS for 7200 s/);
    expect(readdirSync(join(dir, 'mcp_auth', 'previous')).sort()).toHaveLength(2);
  }, 180_000); // CLI processes and an issuer, one after another, on a shared 2-core machine
});
