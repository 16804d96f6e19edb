// `pnpm compare --targets FILE`: servers the run did not start. The CLI is run as a process against
// servers started here; what the file does not give is reported "not run", a server that accepts
// anything fails the run, and a bad file or an unreachable server is a usage error in plain words.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type ApiKeyTables, createApiKey, createApiKeyVerifier, openApiKeyStore, type Verifier } from '@mcp-auth/auth';
import { databaseSettings, openStore } from '@mcp-auth/database';
import { createLogger, createMcpApp } from '@mcp-auth/mcp-fastify';
import { freePort } from '@mcp-auth/mcp-fastify/testing';
import { getTimeTool } from '@mcp-auth/tools';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTargets, TargetsError } from '../src/compare/targets.js';

const BENCH = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'compare-targets-'));
const apps: Array<{ close(): Promise<unknown> }> = [];
afterAll(async () => {
  for (const app of apps) await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(verifier: Verifier): Promise<string> {
  const app = await createMcpApp({
    serverInfo: { name: 'target', version: '1' },
    tools: [getTimeTool],
    verifier,
    challenge: { realm: 'target' },
    origin: { allowedHosts: ['127.0.0.1'], allowedOrigins: [] },
    logger: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, d) => d() }) }),
  });
  apps.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

function compare(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(join(BENCH, 'node_modules', '.bin', 'tsx'), ['--conditions=mcp-auth-source', 'src/compare/main.ts', ...args], {
    cwd: BENCH,
    env: { ...process.env, DUR: '1', CONNS: '4', COMPARE_OUT: join(dir, 'out'), INIT_CWD: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

describe('compare --targets', () => {
  it('attacks a running API-key server with what the file gives, and reports the rest as not run', async () => {
    const store = await openApiKeyStore(
      openStore<ApiKeyTables>(databaseSettings({}, { service: 'compare', sqlitePath: join(dir, 'keys.db') })),
    );
    const { key } = await createApiKey(store, { name: 'compare' });
    const url = await serve(createApiKeyVerifier({ store }));
    writeFileSync(join(dir, 'targets.json'), JSON.stringify({ apikey: { url, key } }));

    const run = await compare(['--targets', 'targets.json']); // relative to INIT_CWD, as pnpm sets it
    expect(run.err).not.toContain('compare failed');
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'compare.json'), 'utf8'));
    expect(report.targets).toBe(join(dir, 'targets.json'));
    expect(report.methods.map((m: { id: string }) => m.id)).toEqual(['apikey']);
    const verdicts = report.methods[0].verdicts;
    for (const attack of ['missing', 'wrong', 'tampered', 'query_string']) expect(verdicts[attack].status).toBe('blocked');
    for (const attack of ['expired', 'revoked', 'session_replay']) expect(verdicts[attack].status).toBe('not run');
    expect(verdicts.expired.detail).toContain('apikey.expiredKey');
    expect(report.endToEnd.apikey.withAuth.rps).toBeGreaterThan(0);
    expect(report.endToEnd.apikey.withoutAuth).toBeUndefined();
    const md = readFileSync(join(dir, 'out', 'compare.md'), 'utf8');
    expect(md).toContain('not run: needs apikey.expiredKey in the targets file');
    expect(md).toContain('n/a (no auth-off twin)');
    expect(run.out).toContain('3 attack(s) not run');
  }, 120_000);

  it('fails the run when the server lets a wrong key through', async () => {
    const url = await serve({ verify: () => ({ id: 'anyone', method: 'api-key', subject: 'anyone', clientId: 'anyone', scopes: [] }) });
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ apikey: { url, key: 'mcpk_0000000000000000_whatever' } }));
    const run = await compare(['--targets', join(dir, 'broken.json')]);
    expect(run.code).toBe(1);
    expect(run.out).toContain('FAILED');
    expect(run.out).toMatch(/Method 1: API keys: (no credentials|wrong credentials)/);
  }, 120_000);

  it('refuses an unreachable server and a missing file as usage errors (exit 2)', async () => {
    const port = await freePort();
    writeFileSync(join(dir, 'down.json'), JSON.stringify({ apikey: { url: `http://127.0.0.1:${port}`, key: 'k' } }));
    const down = await compare(['--targets', join(dir, 'down.json')]);
    expect(down.code).toBe(2);
    expect(down.err).toContain(`Cannot reach http://127.0.0.1:${port} (ECONNREFUSED)`);
    const missing = await compare(['--targets', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('Cannot read the targets file');
    const rbac = {
      issuerUrl: 'http://127.0.0.1:1',
      hrUrl: 'http://127.0.0.1:1',
      manager: { clientId: 'a', clientSecret: 'b' },
      keyDir: 'no-keys',
    };
    writeFileSync(join(dir, 'nokeys.json'), JSON.stringify({ rbac }));
    const noKeys = await compare(['--targets', join(dir, 'nokeys.json')]);
    expect(noKeys.code).toBe(2);
    expect(noKeys.err).toContain(`there is no private.pem in ${join(dir, 'no-keys')}`);
  }, 60_000);
});

describe('targets file', () => {
  it('names every problem with its path, and needs at least one method', () => {
    expect(() => parseTargets({ jwt: { url: 'ftp://x', client: { clientId: 'a' } }, extra: 1 }, 't.json')).toThrow(TargetsError);
    try {
      parseTargets({ jwt: { url: 'ftp://x', client: { clientId: 'a' } }, extra: 1 }, 't.json');
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('jwt.url: must be an http(s) URL');
      expect(message).toContain('jwt.client.clientSecret');
      expect(message).toContain('extra');
    }
    expect(() => parseTargets({}, 't.json')).toThrow('names no method');
  });

  it('the example file in the repository is valid', () => {
    const example = JSON.parse(readFileSync(join(BENCH, 'targets.example.json'), 'utf8'));
    const targets = parseTargets(example, 'targets.example.json');
    expect(Object.keys(targets).sort()).toEqual(['apikey', 'jwt', 'rbac']);
    expect(targets.apikey?.url).toBe('http://localhost:8100');
  });
});
