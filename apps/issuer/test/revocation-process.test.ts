// Method 3 revocation across processes: the issuer and hr-server run as processes, as `pnpm dev` runs
// them. A client revoked with `clients revoke`, and a single token revoked by RFC 7009 /revoke, are
// listed by the issuer's GET /revocations, which hr-server polls in the background: tokens issued
// before the revocation are refused there with "Token revoked", and the list stays in force when the
// issuer goes away.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, launchApp } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const issuerDir = join(import.meta.dirname, '..');
const hrDir = join(issuerDir, '..', 'hr-server');
const tsx = join(issuerDir, 'node_modules', '.bin', 'tsx');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'revocation-process-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const issuerEnv = () => ({
  DATA_DIR: join(dir, 'issuer'),
  MCP_AUTH_DIR: join(dir, 'mcp_auth'),
  NODE_ENV: 'development',
  LOG_LEVEL: 'info',
});

const clients = async (...args: string[]) =>
  promisify(execFile)(tsx, ['--conditions=mcp-auth-source', 'src/clients-cli.ts', ...args], {
    cwd: issuerDir,
    env: { ...process.env, ...issuerEnv() },
  });
const secretOf = (stdout: string) => stdout.trimEnd().split('\n').at(-1) as string;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('revocation reaches resource servers', () => {
  it('clients revoke and /revoke at the issuer: hr-server refuses the tokens, and keeps refusing when the issuer is gone', async () => {
    const dave = secretOf((await clients('create', 'dave', '--role', 'Manager', '--name', 'Dave')).stdout);
    const erin = secretOf((await clients('create', 'erin', '--role', 'Manager', '--name', 'Erin')).stdout);
    const [issuerPort, hrPort] = [await freePort(), await freePort()];
    const issuerUrl = `http://127.0.0.1:${issuerPort}`;
    // No ISSUER anywhere: the issuer's iss is its URL and hr-server expects its ISSUER_URL (the defaults line up).
    const issuer = launchApp(issuerDir, { ...issuerEnv(), PORT: String(issuerPort) });
    const hr = launchApp(hrDir, {
      DATA_DIR: join(dir, 'hr'),
      PORT: String(hrPort),
      ISSUER_URL: issuerUrl,
      REVOCATION_POLL_SECONDS: '1',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    });
    try {
      await expect.poll(() => issuer.out(), { timeout: 45_000 }).toContain('issuer listening');
      await expect.poll(() => hr.out(), { timeout: 45_000 }).toContain('hr-server listening');
      const tokenRequest = (id: string, secret: string) =>
        fetch(`${issuerUrl}/token`, {
          method: 'POST',
          headers: { authorization: basic(id, secret) },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        });
      const token = async (id: string, secret: string) =>
        ((await (await tokenRequest(id, secret)).json()) as { access_token: string }).access_token;
      const listTools = (bearer: string) =>
        fetch(`http://127.0.0.1:${hrPort}/mcp`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
      const refusal = async (bearer: string) => {
        const res = await listTools(bearer);
        return res.status === 200 ? 'accepted' : `${res.status} ${res.headers.get('www-authenticate')}`;
      };

      const daveToken = await token('dave', dave);
      const erinRevoked = await token('erin', erin);
      const erinKept = await token('erin', erin);
      await expect.poll(() => refusal(daveToken), { timeout: 20_000 }).toBe('accepted'); // once hr-server has the JWKS
      expect(await refusal(erinRevoked)).toBe('accepted');

      const revokedOne = await fetch(`${issuerUrl}/revoke`, {
        method: 'POST',
        headers: { authorization: basic('erin', erin) },
        body: new URLSearchParams({ token: erinRevoked }),
      });
      expect(revokedOne.status).toBe(200);
      const revokedClient = await clients('revoke', 'dave');
      expect(revokedClient.stdout).toContain('Revoked client dave: in force at the issuer now');
      expect(revokedClient.stdout).toContain('within REVOCATION_POLL_SECONDS');

      const refused = await tokenRequest('dave', dave);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
      const feed = (await (await fetch(`${issuerUrl}/revocations`)).json()) as { clients: Array<{ client_id: string }>; tokens: unknown[] };
      expect(feed.clients.map((c) => c.client_id)).toEqual(['dave']);
      expect(feed.tokens).toHaveLength(1);

      const revokedChallenge = expect.stringMatching(/^401 .*error="invalid_token", error_description="Token revoked"/);
      await expect.poll(() => refusal(daveToken), { timeout: 20_000 }).toEqual(revokedChallenge);
      await expect.poll(() => refusal(erinRevoked), { timeout: 20_000 }).toEqual(revokedChallenge);
      expect(await refusal(erinKept)).toBe('accepted'); // /revoke ended one token, not the client

      issuer.child.kill('SIGTERM');
      await issuer.exited;
      await expect.poll(() => hr.out(), { timeout: 20_000 }).toContain('revocation feed unreachable: using the list from');
      expect(await refusal(daveToken)).toEqual(revokedChallenge);
      expect(await refusal(erinKept)).toBe('accepted');
    } finally {
      issuer.child.kill('SIGTERM');
      hr.child.kill('SIGTERM');
      await Promise.all([issuer.exited, hr.exited]);
    }
  }, 180_000);
});
