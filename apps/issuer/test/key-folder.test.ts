// The issuer's key folder as an operator meets it, with real processes: a folder that breaks while the
// issuer runs leaves it signing with the last good keys (tokens verify against the served JWKS), is
// logged once and shown on /ready, and clears when the files are restored; a folder that cannot be
// used at startup stops it with one sentence naming the file and what to do, and exit code 1.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClientTables, createClient, createJwksClient, createRs256Verifier, openClientStore, writeKeyPair } from '@mcp-auth/auth';
import { openStore } from '@mcp-auth/database';
import { freePort, launchApp } from '@mcp-auth/mcp-fastify/testing';
import { afterEach, describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A data dir with a key pair and one registered client, as an operator's deployment has. */
async function deployment() {
  const dir = mkdtempSync(join(tmpdir(), 'issuer-keys-'));
  dirs.push(dir);
  const keyDir = join(dir, 'mcp_auth');
  writeKeyPair(keyDir);
  const database = openStore<ClientTables>({ kind: 'sqlite', path: join(dir, 'data', 'issuer.db') });
  const { secret } = await createClient(await openClientStore(database), { clientId: 'ops-check', scopes: ['mcp'], role: 'Manager' });
  await database.close();
  const env = { DATA_DIR: join(dir, 'data'), MCP_AUTH_DIR: keyDir, NODE_ENV: 'development', LOG_LEVEL: 'info' };
  return { dir, keyDir, secret, env };
}

describe('issuer key folder', () => {
  it('keeps signing with the last good keys when the folder breaks while running, says so once, and recovers', async () => {
    const { dir, keyDir, secret, env } = await deployment();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const run = launchApp(appDir, { ...env, PORT: String(port) });
    const ready = async () => {
      const res = await fetch(`${base}/ready`);
      return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, Record<string, unknown>> } };
    };
    const token = async () => {
      const res = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`ops-check:${secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    // A fresh JWKS client each time: what a resource server that starts now would fetch.
    const verify = (t: string) =>
      createRs256Verifier({
        keys: { jwks: createJwksClient({ url: `${base}/.well-known/jwks.json` }) },
        issuer: base,
        audiences: ['my-mcp-server'],
      }).verifyToken(t);
    const failureLines = () =>
      run
        .out()
        .split('\n')
        .filter((l) => l.includes('the key folder cannot be loaded')).length;
    try {
      await expect.poll(() => run.out(), { timeout: 45_000 }).toContain('issuer listening');
      const before = await ready();
      expect(before.status).toBe(200);
      expect(before.body.checks.signing_keys).toMatchObject({ ok: true, published: 1 });
      expect(before.body.checks.signing_keys).not.toHaveProperty('warning');
      expect(before.body.checks.database).toEqual({ ok: true });
      const good = { private: readFileSync(join(keyDir, 'private.pem')), public: readFileSync(join(keyDir, 'public.pem')) };

      // Every file the folder uses turns to garbage.
      writeFileSync(join(keyDir, 'private.pem'), '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n');
      writeFileSync(join(keyDir, 'public.pem'), 'garbage');
      mkdirSync(join(keyDir, 'previous'));
      writeFileSync(join(keyDir, 'previous', 'x.json'), '{');
      await expect
        .poll(async () => (await ready()).body.checks.signing_keys?.warning, { timeout: 10_000 })
        .toMatch(/^private\.pem is not a PEM private key \(since .*\): signing and publishing the last good keys/);
      expect((await ready()).status).toBe(200); // it can serve: a warning, not "not ready"
      for (let i = 0; i < 3; i++) {
        expect(await verify(await token())).toMatchObject({ sub: 'ops-check', job_role: 'Manager' });
        await new Promise((r) => setTimeout(r, 700)); // across several of the ring's checks
      }
      expect(failureLines()).toBe(1); // logged once, not per request or per check

      // Restored: the warning and the error end.
      writeFileSync(join(keyDir, 'private.pem'), good.private);
      writeFileSync(join(keyDir, 'public.pem'), good.public);
      rmSync(join(keyDir, 'previous'), { recursive: true });
      await expect.poll(async () => (await ready()).body.checks.signing_keys?.warning, { timeout: 10_000 }).toBeUndefined();
      await expect.poll(() => run.out()).toContain('the key folder loads again'); // stdout arrives a moment later
      expect(failureLines()).toBe(1);

      // Its database overwritten under it: not ready, with the reason.
      writeFileSync(join(dir, 'data', 'issuer.db'), Buffer.alloc(16_384, 0x41));
      await expect.poll(ready, { timeout: 10_000 }).toMatchObject({
        status: 503,
        body: {
          status: 'not_ready',
          checks: { database: { ok: false, reason: expect.stringContaining('issuer.db: file is not a database') } },
        },
      });
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it('refuses to start on a key file it cannot use, in one sentence naming the file and what to do', async () => {
    const cases: Array<[string, (keyDir: string) => void, string]> = [
      [
        'a directory where private.pem should be',
        (k) => {
          unlinkSync(join(k, 'private.pem'));
          mkdirSync(join(k, 'private.pem'), { mode: 0o700 });
        },
        'private.pem is not a file (a directory?); remove it, then restore it from a backup, or create a new key pair with pnpm keys:generate --force',
      ],
      [
        'garbage PEM',
        (k) => writeFileSync(join(k, 'private.pem'), 'garbage\n'),
        'private.pem is not a PEM private key; restore it from a backup, or create a new key pair with pnpm keys:generate --force',
      ],
      [
        'a PEM of the wrong key type',
        (k) =>
          writeFileSync(
            join(k, 'private.pem'),
            generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
          ),
        'private.pem holds a ec key, not the RSA key RS256 needs; restore it from a backup, or create a new key pair with pnpm keys:generate --force',
      ],
      [
        'a missing public key',
        (k) => unlinkSync(join(k, 'public.pem')),
        'public.pem is missing; write it again from private.pem (openssl pkey',
      ],
    ];
    await Promise.all(
      cases.map(async ([what, breakIt, expected]) => {
        const { keyDir, env } = await deployment();
        breakIt(keyDir);
        const run = launchApp(appDir, { ...env, PORT: String(await freePort()) });
        expect(await run.exited, what).toBe(1);
        expect(run.err(), what).toContain(`issuer: ${keyDir}/${expected}`);
        expect(run.err().trim().split('\n'), what).toHaveLength(1);
        expect(run.err(), what).not.toContain('    at ');
      }),
    );
  }, 150_000); // four issuer processes start side by side: slow on a loaded machine, not a wait
});
