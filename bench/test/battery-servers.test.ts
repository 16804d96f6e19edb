// The jwt and rbac batteries against the real apps, started as processes on free ports: with the full
// set of secrets every applicable attack is blocked, and with only what a remote operator has (URLs
// and one identity) the attacks that need more are "not run" while the rest still run and are blocked.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type LaunchedProcess, launchApp } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Attack, jwtBattery, type MethodResult, rbacBattery } from '../src/compare/battery.js';

const APPS = join(import.meta.dirname, '..', '..', 'apps');
const dir = mkdtempSync(join(tmpdir(), 'battery-servers-'));
const running: LaunchedProcess[] = [];

async function start(app: string, env: Record<string, string>): Promise<{ url: string; run: LaunchedProcess }> {
  const port = await freePort();
  const run = launchApp(join(APPS, app), { DATA_DIR: join(dir, app), LOG_LEVEL: 'warn', ...env, PORT: String(port) });
  running.push(run);
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok === true, `${app} to answer /health:\n${run.err()}`);
  return { url, run };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const statuses = (m: MethodResult) =>
  Object.fromEntries(Object.entries(m.verdicts).map(([a, v]) => [a, v.status])) as Record<Attack, string>;

let jwt: { url: string; clientSecret: string; signingSecret: string };
let rbac: { issuerUrl: string; hrUrl: string; crmUrl: string; keyDir: string; secrets: Record<string, string> };

beforeAll(async () => {
  const signingSecret = 'a9F!kQ2#zL7@pW4$vB8^nC3&xD6*mE1%';
  const jwtServer = await start('jwt-server', { JWT_SECRET: signingSecret });
  // Dev-mode demo secrets are saved to a 0600 file, never printed to stdout.
  const demoClient = JSON.parse(readFileSync(join(dir, 'jwt-server', 'demo-credentials.json'), 'utf8')) as { client_secret: string };
  const clientSecret = demoClient.client_secret;
  jwt = { url: jwtServer.url, clientSecret, signingSecret };

  const keyDir = join(dir, 'mcp_auth');
  const issuer = await start('issuer', { MCP_AUTH_DIR: keyDir });
  await until(() => existsSync(join(keyDir, 'demo-credentials.json')), 'the issuer to save its demo credentials');
  const demo = JSON.parse(readFileSync(join(keyDir, 'demo-credentials.json'), 'utf8')) as {
    clients: Record<string, { client_secret: string }>;
  };
  const secrets = Object.fromEntries(Object.entries(demo.clients).map(([id, c]) => [id, c.client_secret]));
  // The servers expect the iss the issuer announces in its RFC 8414 metadata.
  const { issuer: ISSUER } = (await (await fetch(`${issuer.url}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
  const hr = await start('hr-server', { ISSUER_URL: issuer.url, ISSUER, REVOCATION_POLL_SECONDS: '1' });
  const crm = await start('crm-server', { ISSUER_URL: issuer.url, ISSUER });
  rbac = { issuerUrl: issuer.url, hrUrl: hr.url, crmUrl: crm.url, keyDir, secrets };
}, 180_000);

afterAll(async () => {
  for (const run of running) {
    run.child.kill('SIGTERM');
    await run.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('jwt battery against jwt-server', () => {
  it('blocks every applicable attack when it has the signing secret', async () => {
    const result = await jwtBattery({
      url: jwt.url,
      client: { clientId: 'test_client', clientSecret: jwt.clientSecret },
      signingSecret: jwt.signingSecret,
    });
    const s = statuses(result);
    expect(Object.values(s).filter((v) => v !== 'blocked' && v !== 'n/a')).toEqual([]);
    expect(s.expired).toBe('blocked');
    expect(result.verdicts.scope_escalation).toEqual({ status: 'blocked', detail: 'HTTP 403' });
    expect(result.capabilities.rotation).toContain('not checked');
    // Every era answers with the method's credential.
    expect(result.capabilities.eras).not.toContain('FAILED');
    expect(result.capabilities.eras.match(/: yes/g)).toHaveLength(3);
    // Client credentials only: no browser sign-in, so ChatGPT cannot reach method 2.
    expect(result.capabilities.clients).toContain('not reachable from ChatGPT');
    expect(result.capabilities.clients).toContain('client credentials (SDK, agents): yes (checked)');
  }, 60_000);

  it('with one client only: revocation, tampering, alg none and query tokens run; forging needs the secret', async () => {
    const s = statuses(await jwtBattery({ url: jwt.url, client: { clientId: 'test_client', clientSecret: jwt.clientSecret } }));
    for (const attack of ['missing', 'wrong', 'revoked', 'tampered', 'alg_none', 'query_string'] as const)
      expect(s[attack]).toBe('blocked');
    for (const attack of ['expired', 'wrong_audience', 'session_replay', 'scope_escalation'] as const) expect(s[attack]).toBe('not run');
  }, 60_000);
});

describe('rbac battery against the issuer, hr-server and crm-server', () => {
  const who = (id: string) => ({ clientId: id, clientSecret: rbac.secrets[id] as string });

  it('blocks every applicable attack with the key folder and three identities', async () => {
    const result = await rbacBattery({
      issuerUrl: rbac.issuerUrl,
      hrUrl: rbac.hrUrl,
      crmUrl: rbac.crmUrl,
      manager: who('alice'),
      other: who('bob'),
      employee: who('carol'),
      keyDir: rbac.keyDir,
    });
    const s = statuses(result);
    expect(Object.entries(s).filter(([, v]) => v !== 'blocked' && v !== 'n/a')).toEqual([]);
    expect(s.revoked).toBe('blocked'); // revoked at the issuer, refused by hr-server after its next poll
    expect(result.capabilities.eras.match(/: yes/g)).toHaveLength(3);
    expect(result.capabilities.clients).toContain(
      'OAuth sign-in in a browser (Claude and ChatGPT connectors): yes (checked: authorization code + PKCE S256, Client ID Metadata Documents, DCR)',
    );
    expect(result.verdicts.role_escalation.detail).toContain('crm-server 403');
    expect(result.verdicts.scope_escalation.detail).toBe(
      'hr:read calling approve_leave_request: 403 insufficient_scope, scope="hr:read hr:approve"',
    );
  }, 60_000);

  it('with URLs and one identity: key confusion is keyed from the JWKS and blocked; the rest that needs more is not run', async () => {
    const s = statuses(await rbacBattery({ issuerUrl: rbac.issuerUrl, hrUrl: rbac.hrUrl, manager: who('alice') }));
    for (const attack of ['missing', 'wrong', 'revoked', 'tampered', 'alg_none', 'key_confusion', 'query_string'] as const)
      expect(s[attack]).toBe('blocked');
    for (const attack of ['expired', 'wrong_audience', 'session_replay', 'role_escalation', 'scope_escalation'] as const)
      expect(s[attack]).toBe('not run');
  }, 60_000);
});
