// The issuer and its commands as a user runs them: dev mode creates keys and demo identities once;
// production refuses to start without keys; keys:generate refuses to overwrite; keys:rotate rotates.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
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

describe('issuer process', () => {
  it('dev mode: generates the key pair (private 0600) and alice/bob/carol once', async () => {
    const port = await freePort();
    const run = launch({ PORT: String(port) });
    await expect.poll(() => run.out(), { timeout: 45_000 }).toContain('issuer listening');
    expect(statSync(join(dir, 'mcp_auth', 'private.pem')).mode & 0o777).toBe(0o600);
    for (const who of ['alice', 'bob', 'carol']) expect(run.out()).toMatch(new RegExp(`${who}\\s+\\w+\\s+mcps_`));
    const res = await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`);
    expect(((await res.json()) as { keys: unknown[] }).keys).toHaveLength(1);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const again = launch({ PORT: String(port) });
    await expect.poll(() => again.out(), { timeout: 45_000 }).toContain('issuer listening');
    expect(again.out()).not.toContain('mcps_');
    again.child.kill('SIGTERM');
    await again.exited;
  });

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
  }, 60_000);
});
