// The issuer with DATABASE_URL: two replicas (real processes sharing MCP_AUTH_DIR's keys and cookie
// secret, one PUBLIC_URL as behind a load balancer) on one real PostgreSQL. They migrate once when
// started together and make the demo identities once; a person the people command adds signs in
// with the flow split across the replicas (client registered at one, login and consent at the other,
// the code exchanged and the refresh token used at either); a token revoked at one replica is in the
// other's revocation feed within the stated bound, and so are a revoked sign-in's access tokens; a
// PostgreSQL restart answers 503 while it lasts, then works with no replica restarted. Skipped, saying
// why, where PostgreSQL's binaries are not installed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECORD_RECHECK_MS, writeKeyPair } from '@mcp-auth/auth';
import {
  type LaunchedProcess,
  launchReplicas,
  missingService,
  type RunningService,
  runToEnd,
  startPostgres,
  stopApps,
} from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCookieSecret } from '../src/authorization-server/cookie-secret.js';
import { decode } from './harness.js';
import { FetchBrowser, pkce, title } from './sign-in/fetch-browser.js';

const appDir = join(import.meta.dirname, '..');
const missing = missingService('postgres');
const REDIRECT = 'http://127.0.0.1:7777/callback';
const RESOURCE = 'http://127.0.0.1:8001/';

let pg: RunningService & { psql: (sql: string) => string };
let keyDir: string;
let dataDirs: string[] = [];
let replicas: LaunchedProcess[] = [];
let urls: [string, string];
let env: Record<string, string>;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = async (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(fields) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, string> };
};
const revokedJtis = async (url: string) =>
  ((await (await fetch(`${url}/revocations`)).json()) as { tokens: Array<{ jti: string }> }).tokens.map((t) => t.jti);
const pastTheBound = () => new Promise((r) => setTimeout(r, RECORD_RECHECK_MS + 20));

const people = (...args: string[]) =>
  runToEnd(appDir, { ...env, DATA_DIR: dataDirs[0] as string, LOG_LEVEL: 'silent' }, 'src/people-cli.ts', args);

describe.skipIf(missing)(`issuer on PostgreSQL ${missing ?? ''}`, () => {
  beforeAll(async () => {
    pg = await startPostgres();
    // What replicas share besides the database: the keys and the cookie secret (a Secret in Kubernetes).
    keyDir = mkdtempSync(join(tmpdir(), 'issuer-pg-keys-'));
    writeKeyPair(keyDir);
    writeCookieSecret(keyDir);
    dataDirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'issuer-pg-')));
    const shared = (at: string[]) => ({
      DATABASE_URL: pg.url,
      MCP_AUTH_DIR: keyDir,
      PUBLIC_URL: at[0] as string,
      RESOURCE_SERVERS: RESOURCE,
      LOG_LEVEL: 'info',
    });
    const launched = await launchReplicas(appDir, 2, (i, at) => ({ ...shared(at), DATA_DIR: dataDirs[i] as string }), 'issuer listening');
    replicas = launched.runs;
    urls = launched.urls as [string, string];
    env = shared(urls);
  }, 120_000);

  afterAll(async () => {
    await stopApps(replicas);
    await pg?.stop();
    for (const dir of [...dataDirs, keyDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('migrates once when replicas start together, and makes the demo identities and people once', () => {
    const versions = pg.psql("SELECT string_agg(component || '=' || version, ' ' ORDER BY component) FROM issuer.schema_migrations");
    expect(versions).toBe('oauth_clients=3 oidc_models=4 people=1 revoked_tokens=2 sign_in_access_tokens=2');
    expect(pg.psql('SELECT count(*) FROM issuer.oauth_clients')).toBe('3');
    expect(pg.psql('SELECT count(*) FROM issuer.people')).toBe('3');
    for (const r of replicas) expect(r.child.exitCode).toBeNull();
  });

  it("a demo identity's token from one replica, revoked at the other, is in both replicas' revocation feeds", async () => {
    const { clients } = JSON.parse(readFileSync(join(keyDir, 'demo-credentials.json'), 'utf8')) as {
      clients: Record<string, { client_secret: string }>;
    };
    const auth = { authorization: basic('alice', clients.alice?.client_secret as string) };
    const token = await form(`${urls[0]}/token`, { grant_type: 'client_credentials', resource: RESOURCE }, auth);
    expect(token.status).toBe(200);
    expect((await form(`${urls[1]}/revoke`, { token: token.body.access_token as string }, auth)).status).toBe(200);
    const { jti } = decode(token.body.access_token as string).payload as { jti: string };
    expect(await revokedJtis(urls[1])).toContain(jti);
    await pastTheBound();
    expect(await revokedJtis(urls[0])).toContain(jti);
  });

  it('a person signs in with the flow split across replicas; revoking the sign-in at one lists its access tokens at the other', async () => {
    const password = (await people('add', 'erin', '--role', 'Manager', '--id', 'EMP-009')).trimEnd().split('\n').at(-1) as string;
    // Registered (DCR) at the second replica; the provider at the first finds the client.
    const registered = await fetch(`${urls[1]}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'none',
      }),
    });
    expect(registered.status).toBe(201);
    const clientId = ((await registered.json()) as { client_id: string }).client_id;
    const { verifier, challenge } = pkce();
    const authorize = new URL(`${urls[0]}/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'mcp',
      resource: RESOURCE,
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(k, v);
    const browser = new FetchBrowser();
    let page = await browser.follow(authorize.href, urls[0]);
    expect(title(page)).toBe('Sign in');
    page = await browser.submit(page, '/login', { username: 'erin', password }, urls[0]);
    if (title(page) === 'Allow access') page = await browser.submit(page, '/confirm', {}, urls[0]);
    expect(page.status).toBe(303);
    const code = new URL(page.location as string).searchParams.get('code') as string;
    // The code is exchanged at the second replica, and the refresh token used at the first.
    const tokens = await form(`${urls[1]}/token`, {
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      resource: RESOURCE,
    });
    expect(tokens.status).toBe(200);
    expect(decode(tokens.body.access_token as string).payload).toMatchObject({ sub: 'erin', job_role: 'Manager', id: 'EMP-009' });
    const refreshed = await form(`${urls[0]}/token`, {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: tokens.body.refresh_token as string,
    });
    expect(refreshed.status).toBe(200);
    // RFC 7009 on the refresh token at the second replica signs erin out: both access tokens are denied.
    expect((await form(`${urls[1]}/revoke`, { token: refreshed.body.refresh_token as string, client_id: clientId })).status).toBe(200);
    const jtis = [tokens, refreshed].map((t) => (decode(t.body.access_token as string).payload as { jti: string }).jti);
    await pastTheBound();
    const denied = await revokedJtis(urls[0]);
    for (const jti of jtis) expect(denied).toContain(jti);
    const again = await form(`${urls[0]}/token`, {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: refreshed.body.refresh_token as string,
    });
    expect(again.body.error).toBe('invalid_grant');
  });

  it('while PostgreSQL is down: /token answers 503 with Retry-After; once it is back, 200 with no restart', async () => {
    const { clients } = JSON.parse(readFileSync(join(keyDir, 'demo-credentials.json'), 'utf8')) as {
      clients: Record<string, { client_secret: string }>;
    };
    const auth = { authorization: basic('bob', clients.bob?.client_secret as string) };
    const tokenAt = (url: string) =>
      fetch(`${url}/token`, { method: 'POST', headers: auth, body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    await pg.stop();
    for (const url of urls) {
      await pastTheBound();
      const res = await tokenAt(url);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect((await fetch(`${url}/ready`)).status).toBe(503);
    }
    await pg.restart();
    for (const url of urls) {
      await expect.poll(async () => (await tokenAt(url)).status, { timeout: 15_000 }).toBe(200);
      await expect.poll(async () => (await fetch(`${url}/ready`)).status, { timeout: 5_000 }).toBe(200);
    }
    for (const r of replicas) expect(r.child.exitCode).toBeNull();
  }, 60_000);
});
