// The authorization code flow at the issuer, driven hop by hop with a cookie jar (FetchBrowser), and
// the attacks on it: code replay, PKCE missing or downgraded, a redirect URI that does not match, a
// resource the issuer does not serve, CSRF on the forms, an open redirect, password guessing; refresh
// rotation with reuse detection; RFC 7009 for refresh and access tokens. A client registers by
// Dynamic Client Registration (RFC 7591) first, as the SDK does.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCookieSecret } from '../../src/authorization-server/cookie-secret.js';
import { readPreregisteredClients } from '../../src/authorization-server/preregistered-clients.js';
import { decode, type IssuerHarness, removeDir, startIssuer } from '../harness.js';
import { FetchBrowser, type Hop, pkce, title } from './fetch-browser.js';

let issuer: IssuerHarness;
const REDIRECT = 'http://127.0.0.1:7777/callback';
let resource: string;

beforeAll(async () => {
  issuer = await startIssuer();
  resource = issuer.resources[0] as string;
  await issuer.addPerson({ username: 'alice', password: 'alice-password-1', role: 'Manager', id: 'EMP-001' });
  await issuer.addPerson({ username: 'dave', password: 'dave-password-1', role: 'Employee', id: 'EMP-004' });
  await issuer.addPerson({ username: 'bob', password: 'bob-password-1', role: 'AssistantManager', id: 'EMP-002' });
});
afterAll(async () => {
  await issuer.close();
  removeDir(issuer.keyDir);
});

async function register(metadata: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${issuer.url}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Flow test client',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      ...metadata,
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { client_id: string }).client_id;
}

function authorizeUrl(clientId: string, params: Record<string, string> = {}) {
  const url = new URL(`${issuer.url}/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'mcp',
    resource,
    state: 'state-123',
    ...params,
  }))
    if (v !== '') url.searchParams.set(k, v);
  return url.href;
}

/** A person goes through login and consent; returns the redirect back to the client. */
async function signIn(browser: FetchBrowser, url: string, who = { username: 'alice', password: 'alice-password-1' }) {
  let page = await browser.follow(url, issuer.url);
  if (title(page) === 'Sign in') page = await browser.submit(page, '/login', who, issuer.url);
  if (title(page) === 'Allow access') page = await browser.submit(page, '/confirm', {}, issuer.url);
  return page;
}

const callbackParams = (hop: Hop) => {
  expect(hop.status).toBe(303);
  expect(hop.location?.startsWith(REDIRECT)).toBe(true);
  return new URL(hop.location as string).searchParams;
};

async function tokenRequest(form: Record<string, string>) {
  const res = await fetch(`${issuer.url}/token`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function codeFor(clientId: string, browser = new FetchBrowser()) {
  const { verifier, challenge } = pkce();
  const params = callbackParams(
    await signIn(browser, authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256' })),
  );
  return { code: params.get('code') as string, verifier, params, browser };
}

const exchange = (clientId: string, code: string, verifier: string, extra: Record<string, string> = {}) =>
  tokenRequest({
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
    resource,
    ...extra,
  });

const revokedJtis = async () =>
  ((await (await fetch(`${issuer.url}/revocations`)).json()) as { tokens: Array<{ jti: string }> }).tokens.map((t) => t.jti);

describe('authorization code + PKCE', () => {
  it('signs a person in: code with state and iss, a JWT for the resource with the role, a refresh token', async () => {
    const clientId = await register();
    const { code, verifier, params } = await codeFor(clientId);
    expect(params.get('state')).toBe('state-123');
    expect(params.get('iss')).toBe(issuer.url); // RFC 9207
    const { status, body } = await exchange(clientId, code, verifier);
    expect(status).toBe(200);
    expect(body.refresh_token).toEqual(expect.any(String));
    const { header, payload } = decode(body.access_token as string);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({
      iss: issuer.url,
      aud: resource,
      sub: 'alice',
      client_id: clientId,
      job_role: 'Manager',
      id: 'EMP-001',
      scope: 'mcp',
    });
  });

  it('a code works once; its replay is refused and revokes what the first use got', async () => {
    const clientId = await register();
    const { code, verifier } = await codeFor(clientId);
    const first = await exchange(clientId, code, verifier);
    expect(first.status).toBe(200);
    const replay = await exchange(clientId, code, verifier);
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await revokedJtis()).toContain(decode(first.body.access_token as string).payload.jti);
    expect(
      (await tokenRequest({ grant_type: 'refresh_token', client_id: clientId, refresh_token: first.body.refresh_token as string })).status,
    ).toBe(400);
  });

  it('refuses a request without PKCE, with plain PKCE, and a code redeemed with the wrong verifier', async () => {
    const clientId = await register();
    const browser = new FetchBrowser();
    const none = callbackParams(await browser.follow(authorizeUrl(clientId), issuer.url));
    expect(none.get('error')).toBe('invalid_request');
    const plain = callbackParams(
      await browser.follow(authorizeUrl(clientId, { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }), issuer.url),
    );
    expect(plain.get('error')).toBe('invalid_request');
    const { code } = await codeFor(clientId);
    expect(await exchange(clientId, code, pkce().verifier)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('never redirects to a URI the client did not register; loopback ports may vary (RFC 8252)', async () => {
    const clientId = await register();
    const { challenge } = pkce();
    const evil = await new FetchBrowser().request(
      authorizeUrl(clientId, { redirect_uri: 'https://evil.example/callback', code_challenge: challenge, code_challenge_method: 'S256' }),
    );
    expect(evil.status).toBe(400);
    expect(evil.location).toBeNull();
    const otherPort = await new FetchBrowser().request(
      authorizeUrl(clientId, { redirect_uri: 'http://127.0.0.1:9999/callback', code_challenge: challenge, code_challenge_method: 'S256' }),
    );
    expect(otherPort.status).toBe(303);
    expect(otherPort.location).toMatch(/\/interaction\//);
  });

  it('refuses a resource this issuer does not serve (RFC 8707), and a token request naming another resource', async () => {
    const clientId = await register();
    const { challenge } = pkce();
    const params = callbackParams(
      await new FetchBrowser().follow(
        authorizeUrl(clientId, { resource: 'https://elsewhere.example/', code_challenge: challenge, code_challenge_method: 'S256' }),
        issuer.url,
      ),
    );
    expect(params.get('error')).toBe('invalid_target');
    const { code, verifier } = await codeFor(clientId);
    expect((await exchange(clientId, code, verifier, { resource: issuer.otherResource })).body.error).toBe('invalid_target');
  });
});

describe('scopes from the RBAC policy', () => {
  it('the consent page grants what the role allows and shows the rest as not available; the token carries only the granted', async () => {
    const clientId = await register();
    const { challenge, verifier } = pkce();
    const browser = new FetchBrowser();
    let page = await browser.follow(
      authorizeUrl(clientId, { scope: 'hr:read hr:write hr:approve', code_challenge: challenge, code_challenge_method: 'S256' }),
      issuer.url,
    );
    page = await browser.submit(page, '/login', { username: 'bob', password: 'bob-password-1' }, issuer.url);
    expect(title(page)).toBe('Allow access');
    const granted = page.body.slice(0, page.body.indexOf('not available to your role'));
    const refused = page.body.slice(page.body.indexOf('not available to your role'));
    expect(granted).toContain('<code>hr:read</code>');
    expect(granted).toContain('<code>hr:write</code>');
    expect(granted).not.toContain('<code>hr:approve</code>');
    expect(refused).toContain('<code>hr:approve</code>');
    const code = callbackParams(await browser.submit(page, '/confirm', {}, issuer.url)).get('code') as string;
    const { body } = await exchange(clientId, code, verifier);
    expect(decode(body.access_token as string).payload.scope).toBe('hr:read hr:write');
  });

  it('the metadata lists the policy’s scopes', async () => {
    const meta = (await (await fetch(`${issuer.url}/.well-known/oauth-authorization-server`)).json()) as { scopes_supported: string[] };
    expect(meta.scopes_supported).toEqual(
      expect.arrayContaining(['hr:read', 'hr:write', 'hr:approve', 'projects:read', 'crm:write', 'mcp']),
    );
  });
});

describe('what the issuer advertises (RFC 8414) is what it does', () => {
  it('one metadata document, naming every endpoint and nothing it does not serve', async () => {
    const meta = (await (await fetch(`${issuer.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: issuer.url,
      authorization_endpoint: `${issuer.url}/authorize`,
      token_endpoint: `${issuer.url}/token`,
      registration_endpoint: `${issuer.url}/register`,
      revocation_endpoint: `${issuer.url}/revoke`,
      jwks_uri: `${issuer.url}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
    expect(meta).not.toHaveProperty('dpop_signing_alg_values_supported');
    expect(meta).not.toHaveProperty('pushed_authorization_request_endpoint');
    for (const path of ['/.well-known/openid-configuration', '/request', '/oidc/jwks'])
      expect((await fetch(`${issuer.url}${path}`)).status).toBe(404);
  });
});

describe('errors inside the authorization server', () => {
  it('reach the log: a production issuer reached over plain http cannot set its Secure cookies', async () => {
    writeCookieSecret(issuer.keyDir);
    const production = await startIssuer(
      { NODE_ENV: 'production', PUBLIC_URL: 'https://issuer.example', ALLOWED_HOSTS: '127.0.0.1' },
      issuer.keyDir,
    );
    try {
      const register = await fetch(`${production.url}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: ['https://client.example/cb'], token_endpoint_auth_method: 'none' }),
      });
      const registered = (await register.json()) as { client_id: string };
      const signIn = await fetch(
        `${production.url}/authorize?${new URLSearchParams({ response_type: 'code', client_id: registered.client_id, redirect_uri: 'https://client.example/cb', scope: 'mcp', resource: production.resources[0] as string, code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`,
        { redirect: 'manual' },
      );
      expect(signIn.status).toBe(500);
      expect(production.logs()).toContain('sign-in failed on a server error');
      expect(production.logs()).toContain('Cannot send secure cookie over unencrypted connection');
    } finally {
      await production.close();
    }
  });
});

describe('pre-registered clients (OAUTH_CLIENTS_FILE)', () => {
  it('a client from the file signs people in; one not registered anywhere is refused', async () => {
    const file = join(issuer.keyDir, 'oauth-clients.json');
    writeFileSync(
      file,
      JSON.stringify([{ client_id: 'desk-app', client_name: 'Desk app', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }]),
    );
    const withFile = await startIssuer({ OAUTH_CLIENTS_FILE: file });
    try {
      await withFile.addPerson({ username: 'alice', password: 'alice-password-1', role: 'Manager' });
      const resourceHere = withFile.resources[0] as string;
      const { verifier, challenge } = pkce();
      const url = (clientId: string) =>
        `${withFile.url}/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: 'mcp', resource: resourceHere, code_challenge: challenge, code_challenge_method: 'S256' })}`;
      const browser = new FetchBrowser();
      let page = await browser.follow(url('desk-app'), withFile.url);
      expect(page.body).toContain('Desk app');
      page = await browser.submit(page, '/login', { username: 'alice', password: 'alice-password-1' }, withFile.url);
      page = await browser.submit(page, '/confirm', {}, withFile.url);
      const code = new URL(page.location as string).searchParams.get('code') as string;
      const res = await fetch(`${withFile.url}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'desk-app',
          code,
          code_verifier: verifier,
          redirect_uri: REDIRECT,
          resource: resourceHere,
        }),
      });
      expect(res.status).toBe(200);
      const unknown = await new FetchBrowser().request(url('nobody-registered-me'));
      expect(unknown.status).toBe(400);
      expect(unknown.body).toContain('invalid_client');
    } finally {
      await withFile.close();
    }
  });

  it('a clients file that is not a JSON array of clients stops the start with a sentence', () => {
    const file = join(issuer.keyDir, 'bad-clients.json');
    writeFileSync(file, JSON.stringify({ client_id: 'x' }));
    expect(() => readPreregisteredClients(file)).toThrow(/must hold a JSON array of client metadata objects/);
    writeFileSync(file, JSON.stringify([{ client_id: 'x' }]));
    expect(() => readPreregisteredClients(file)).toThrow(`OAUTH_CLIENTS_FILE=${file}: client x has no redirect_uris`);
  });
});

describe('the sign-in pages', () => {
  it('accept their own forms from the issuer’s public origin, and refuse other sites', async () => {
    const behindName = await startIssuer({ PUBLIC_URL: 'https://issuer.example', ALLOWED_HOSTS: '127.0.0.1' });
    try {
      const post = (origin: string) =>
        fetch(`${behindName.url}/interaction/some-uid/login`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'csrf=x&username=a&password=b',
        });
      // Past the Origin check: this browser has no sign-in under way, so the page says it expired.
      expect((await post('https://issuer.example')).status).toBe(400);
      expect(await (await post('https://evil.example')).json()).toEqual({ error: 'forbidden', error_description: 'Origin not allowed' });
    } finally {
      await behindName.close();
    }
  });

  it('refuse a form without the CSRF token, or with another interaction’s', async () => {
    const clientId = await register();
    const { challenge } = pkce();
    const browser = new FetchBrowser();
    const login = await browser.follow(authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256' }), issuer.url);
    const other = await new FetchBrowser().follow(
      authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256' }),
      issuer.url,
    );
    const uid = /\/interaction\/([^/"]+)\/login/.exec(login.body)?.[1];
    const post = (csrf: string | undefined) =>
      browser.request(`${issuer.url}/interaction/${uid}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'alice', password: 'alice-password-1', ...(csrf ? { csrf } : {}) }),
      });
    expect(uid).toEqual(expect.any(String));
    expect((await post(undefined)).status).toBe(403);
    expect((await post(/name="csrf" value="([^"]+)"/.exec(other.body)?.[1])).status).toBe(403);
  });

  it('send the browser only to the issuer after login (no open redirect), and serve pages that cannot be framed', async () => {
    const clientId = await register();
    const { challenge } = pkce();
    const browser = new FetchBrowser();
    const login = await browser.follow(
      `${authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256' })}&return_to=https://evil.example/`,
      issuer.url,
    );
    const res = await fetch(login.url);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const csrf = /name="csrf" value="([^"]+)"/.exec(login.body)?.[1] as string;
    const uid = /\/interaction\/([^/"]+)\/login/.exec(login.body)?.[1];
    const after = await browser.request(`${issuer.url}/interaction/${uid}/login?return_to=https://evil.example/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, username: 'alice', password: 'alice-password-1' }),
    });
    expect(after.status).toBe(303);
    expect(new URL(after.location as string).origin).toBe(issuer.url);
  });

  it('answer a wrong password and an unknown person alike, and limit guessing per account without locking out its known browser', async () => {
    const clientId = await register();
    const url = () => authorizeUrl(clientId, { code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    // dave signs in once from his own browser, which is then known for his account.
    const daves = new FetchBrowser();
    callbackParams(await signIn(daves, url(), { username: 'dave', password: 'dave-password-1' }));
    const attacker = new FetchBrowser();
    const tries: number[] = [];
    for (let i = 0; i < 12; i++) {
      const page = await attacker.follow(url(), issuer.url);
      tries.push(
        (await attacker.submit(page, '/login', { username: i === 0 ? 'nobody' : 'dave', password: `guess-${i}` }, issuer.url)).status,
      );
    }
    // One unknown name, then ten wrong passwords for dave: all the same 401; the eleventh for dave is 429.
    expect(tries.slice(0, 11)).toEqual(Array(11).fill(401));
    expect(tries[11]).toBe(429);
    // A new browser is refused for dave's account for now; his known browser is not, nor is alice.
    const fresh = new FetchBrowser();
    const freshPage = await fresh.follow(url(), issuer.url);
    expect((await fresh.submit(freshPage, '/login', { username: 'dave', password: 'dave-password-1' }, issuer.url)).status).toBe(429);
    const davesAgain = await daves.follow(url(), issuer.url);
    expect(
      callbackParams(davesAgain.status === 303 ? davesAgain : await daves.submit(davesAgain, '/confirm', {}, issuer.url)).get('code'),
    ).toEqual(expect.any(String));
    expect(callbackParams(await signIn(new FetchBrowser(), url())).get('code')).toEqual(expect.any(String));
  });
});

describe('refresh tokens and revocation', () => {
  it('rotate on every use; a used one presented again revokes the whole sign-in', async () => {
    const clientId = await register();
    const { code, verifier } = await codeFor(clientId);
    const first = (await exchange(clientId, code, verifier)).body;
    const refresh = (token: string) => tokenRequest({ grant_type: 'refresh_token', client_id: clientId, refresh_token: token });
    const second = await refresh(first.refresh_token as string);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(decode(second.body.access_token as string).payload).toMatchObject({ aud: resource, job_role: 'Manager' });
    // A stolen copy of the first refresh token is replayed: refused, and the family is revoked.
    expect(await refresh(first.refresh_token as string)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await refresh(second.body.refresh_token as string)).status).toBe(400);
    const denied = await revokedJtis();
    for (const t of [first, second.body]) expect(denied).toContain(decode(t.access_token as string).payload.jti);
  });

  it('RFC 7009 on a refresh token, and on an access token, signs the person out everywhere', async () => {
    const clientId = await register();
    const revoke = (token: string, client = clientId) =>
      fetch(`${issuer.url}/revoke`, { method: 'POST', body: new URLSearchParams({ token, client_id: client }) });

    const a = await codeFor(clientId);
    const viaRefresh = (await exchange(clientId, a.code, a.verifier)).body;
    expect((await revoke(viaRefresh.refresh_token as string)).status).toBe(200);
    expect(await revokedJtis()).toContain(decode(viaRefresh.access_token as string).payload.jti);

    const b = await codeFor(clientId);
    const viaAccess = (await exchange(clientId, b.code, b.verifier)).body;
    // Another client cannot revoke it (answered 200, left alone: RFC 7009 §2.2).
    const other = await register();
    expect((await revoke(viaAccess.access_token as string, other)).status).toBe(200);
    expect(await revokedJtis()).not.toContain(decode(viaAccess.access_token as string).payload.jti);
    expect((await revoke(viaAccess.access_token as string)).status).toBe(200);
    expect(await revokedJtis()).toContain(decode(viaAccess.access_token as string).payload.jti);
    expect(
      (await tokenRequest({ grant_type: 'refresh_token', client_id: clientId, refresh_token: viaAccess.refresh_token as string })).status,
    ).toBe(400);
  });

  it('a person disabled with `people disable` can no longer refresh or sign in', async () => {
    await issuer.addPerson({ username: 'erin', password: 'erin-password-1', role: 'Employee' });
    const clientId = await register();
    const { verifier, challenge } = pkce();
    const who = { username: 'erin', password: 'erin-password-1' };
    const url = authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256' });
    const code = callbackParams(await signIn(new FetchBrowser(), url, who)).get('code') as string;
    const tokens = (await exchange(clientId, code, verifier)).body;
    await issuer.disablePerson('erin');
    expect(
      (await tokenRequest({ grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.refresh_token as string })).body.error,
    ).toBe('invalid_grant');
    const browser = new FetchBrowser();
    const page = await browser.follow(authorizeUrl(clientId, { code_challenge: challenge, code_challenge_method: 'S256' }), issuer.url);
    expect((await browser.submit(page, '/login', who, issuer.url)).status).toBe(401);
  });

  it('client credentials and the JSON /token form keep working beside the sign-ins', async () => {
    const res = await fetch(`${issuer.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'alice', client_secret: issuer.secrets.alice }),
    });
    expect(res.status).toBe(200);
    expect(decode(((await res.json()) as { access_token: string }).access_token).payload).toMatchObject({ iss: issuer.url, sub: 'alice' });
  });
});
