// A person signs in from an MCP client the way Claude, VS Code or the Inspector do it: the official
// SDK client connects to hr-server with no token, follows the 401 to the protected resource metadata
// (RFC 9728) and the issuer's metadata (RFC 8414), registers (Dynamic Client Registration, or a Client
// ID Metadata Document), and sends the person to the issuer's login page in a real browser (headless
// Chromium). Carol logs in, allows the client, and lists her three tools. Then: refresh, sign-out by
// RFC 7009, step-up to a scope, real expiry and a replayed refresh token. The issuer and hr-server run
// as processes, as `pnpm dev` runs them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type LaunchedProcess, launchApp, launchChromium, untilOutput } from '@mcp-auth/mcp-fastify/testing';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientDocument, type DocumentServer, sendJson, startDocumentServer } from './document-server.js';
import { allow, logIn, openSignIn, TestOAuthClient } from './oauth-client.js';

const issuerDir = join(import.meta.dirname, '..', '..');
const hrDir = join(issuerDir, '..', 'hr-server');
const dir = mkdtempSync(join(tmpdir(), 'browser-sign-in-'));
let browser: Browser;
let documents: DocumentServer;

/** An issuer and an hr-server process that trusts it, as `pnpm dev` runs them. */
interface Pair {
  issuer: LaunchedProcess;
  hr: LaunchedProcess;
  issuerUrl: string;
  hrUrl: string;
  /** The demo people's passwords, from the issuer's demo-passwords.json. */
  passwords: Record<string, string>;
}
const pairs: Pair[] = [];

async function startPair(name: string, issuerEnv: Record<string, string> = {}, hrEnv: Record<string, string> = {}): Promise<Pair> {
  const [issuerPort, hrPort] = [await freePort(), await freePort()];
  const issuerUrl = `http://127.0.0.1:${issuerPort}`;
  const hrUrl = `http://127.0.0.1:${hrPort}`;
  const issuer = launchApp(issuerDir, {
    DATA_DIR: join(dir, name, 'issuer'),
    MCP_AUTH_DIR: join(dir, name, 'mcp_auth'),
    PORT: String(issuerPort),
    RESOURCE_SERVERS: `${hrUrl}/`,
    // Trusts the test's document server certificate (a client's web site, for CIMD).
    NODE_EXTRA_CA_CERTS: documents.certFile,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    ...issuerEnv,
  });
  const hr = launchApp(hrDir, {
    DATA_DIR: join(dir, name, 'hr'),
    PORT: String(hrPort),
    ISSUER_URL: issuerUrl,
    REVOCATION_POLL_SECONDS: '1',
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    ...hrEnv,
  });
  const pair = { issuer, hr, issuerUrl, hrUrl, passwords: {} as Record<string, string> };
  pairs.push(pair);
  await untilOutput(issuer, 'issuer listening');
  await untilOutput(hr, 'hr-server listening');
  const saved = JSON.parse(readFileSync(join(dir, name, 'mcp_auth', 'demo-passwords.json'), 'utf8')) as {
    people: Record<string, { password: string }>;
  };
  pair.passwords = Object.fromEntries(Object.entries(saved.people).map(([who, p]) => [who, p.password]));
  return pair;
}

let main: Pair;
let issuerUrl: string;
let hrUrl: string;
beforeAll(async () => {
  documents = await startDocumentServer(dir);
  browser = await launchChromium();
  main = await startPair('main');
  ({ issuerUrl, hrUrl } = main);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await documents?.close();
  for (const { issuer, hr } of pairs) {
    for (const run of [issuer, hr]) {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Connects with the SDK client; when it needs a sign-in, `signIn` plays the person in the browser and
 * returns the callback's query (the code, and the `iss` the SDK checks before redeeming it, RFC 9207).
 */
async function connect(provider: TestOAuthClient, signIn: (url: URL) => Promise<URLSearchParams>, at: Pair = main): Promise<Client> {
  const transport = () => new StreamableHTTPClientTransport(new URL(`${at.hrUrl}/mcp`), { authProvider: provider });
  const client = new Client({ name: 'browser-test', version: '1' });
  try {
    await client.connect(transport());
    return client;
  } catch (error) {
    if (!provider.authorizationUrl) throw error;
  }
  const first = transport();
  await first.finishAuth(await signIn(provider.authorizationUrl));
  const signedIn = new Client({ name: 'browser-test', version: '1' });
  await signedIn.connect(transport());
  return signedIn;
}

const personSignsIn =
  (provider: TestOAuthClient, username: string, at: Pair = main) =>
  async (url: URL) => {
    const { page, context, callback } = await openSignIn(browser, url, provider.redirect);
    try {
      expect(await page.title()).toBe('Sign in');
      await logIn(page, username, at.passwords[username] as string);
      expect(await page.title()).toBe('Allow access');
      expect(await page.textContent('body')).toContain(`${at.hrUrl}/`);
      await allow(page);
      const params = await callback;
      // RFC 9207: the response names the issuer, which the client checks before redeeming the code.
      expect(params.iss).toBe(at.issuerUrl);
      expect(params.error).toBeNull();
      expect(params.state).toBe(url.searchParams.get('state'));
      expect(params.code).toEqual(expect.any(String));
      return new URL(params.url).searchParams;
    } finally {
      await context.close();
    }
  };

describe('browser sign-in from the SDK client', () => {
  it('DCR client: carol logs in, allows it, and lists her three tools', async () => {
    const provider = new TestOAuthClient('http://127.0.0.1:8976/callback');
    const client = await connect(provider, personSignsIn(provider, 'carol'));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['get_employee_records', 'get_leave_requests', 'get_performance_reviews']);
    // The client registered itself (RFC 7591) and the authorization request used PKCE S256 and RFC 8707.
    expect(provider.clientInformation()?.client_id).toEqual(expect.any(String));
    expect(provider.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(provider.authorizationUrl?.searchParams.get('resource')).toBe(`${hrUrl}/`);
    expect(provider.saved?.refresh_token).toEqual(expect.any(String));
    await client.close();
  });
});

describe('browser sign-in with a Client ID Metadata Document', () => {
  it('the issuer fetches the document at the client_id URL; carol signs in; a refused token is refreshed without the browser', async () => {
    const redirect = 'http://127.0.0.1:8977/callback';
    const clientId = `${documents.url}/oauth/client.json`;
    documents.route('/oauth/client.json', sendJson(clientDocument(clientId, redirect), { 'cache-control': 'max-age=60' }));
    const provider = new TestOAuthClient(redirect, { clientMetadataUrl: clientId });
    const client = await connect(provider, personSignsIn(provider, 'carol'));
    expect(provider.authorizationUrl?.searchParams.get('client_id')).toBe(clientId);
    expect(documents.hits.get('/oauth/client.json')).toBeGreaterThanOrEqual(1);
    expect((await client.listTools()).tools).toHaveLength(3);
    await client.close();

    // The server stops accepting the access token (here it is replaced by one it refuses; real expiry
    // is the last test): the SDK uses the refresh token, and rotation hands it a new one. No browser.
    const before = provider.saved?.refresh_token;
    provider.saved = { ...(provider.saved as NonNullable<typeof provider.saved>), access_token: 'expired' };
    provider.authorizationUrl = undefined;
    const again = await connect(provider, async () => {
      throw new Error('the refresh should not need the browser');
    });
    expect((await again.listTools()).tools).toHaveLength(3);
    expect(provider.saved?.refresh_token).toEqual(expect.any(String));
    expect(provider.saved?.refresh_token).not.toBe(before);
    await again.close();
  });
});

describe('signing out', () => {
  it('a sign-in revoked at the issuer (RFC 7009) is refused by hr-server within its poll interval', async () => {
    const provider = new TestOAuthClient('http://127.0.0.1:8978/callback');
    const client = await connect(provider, personSignsIn(provider, 'carol'));
    await client.close();
    const token = provider.saved?.access_token as string;
    const listTools = () =>
      fetch(`${hrUrl}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    expect((await listTools()).status).toBe(200);
    const revoked = await fetch(`${issuerUrl}/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token, client_id: provider.clientInformation()?.client_id as string }),
    });
    expect(revoked.status).toBe(200);
    // REVOCATION_POLL_SECONDS=1 here: refused within that, plus the time a request takes.
    await expect
      .poll(
        async () => {
          const res = await listTools();
          return `${res.status} ${res.headers.get('www-authenticate')}`;
        },
        { timeout: 3_000, interval: 100 },
      )
      .toContain('401 Bearer');
    expect((await listTools()).headers.get('www-authenticate')).toContain('Token revoked');
    // The refresh token went with it: the client must sign in again.
    const refreshed = await fetch(`${issuerUrl}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: provider.saved?.refresh_token as string,
        client_id: provider.clientInformation()?.client_id as string,
      }),
    });
    expect(refreshed.status).toBe(400);
  });
});

describe('step-up: a tool beyond the token’s scopes', () => {
  const approve = (client: Client) =>
    client.callTool({ name: 'approve_leave_request', arguments: { request_id: 'LR-0004', approver_notes: 'step-up test' } });

  it('alice gets the 403 challenge naming hr:approve, signs in again for it, and the call succeeds', async () => {
    const provider = new TestOAuthClient('http://127.0.0.1:8979/callback');
    const client = await connect(provider, personSignsIn(provider, 'alice'));
    // The 401 challenge asked for the base scopes only; approvals need a step-up.
    expect(decodeScope(provider.saved?.access_token)).toEqual(['hr:read', 'hr:write']);
    // The client holds a refresh token; SDK v2 still sends the person to sign in again, since a refresh
    // cannot widen the scopes (v1 refreshed, got the same scopes and gave up).
    expect(provider.saved?.refresh_token).toEqual(expect.any(String));
    await expect(approve(client)).rejects.toThrow(/Unauthorized/);
    expect(provider.authorizationUrl?.searchParams.get('scope')).toBe('hr:read hr:write hr:approve');
    const callback = await personSignsIn(provider, 'alice')(provider.authorizationUrl as URL);
    await new StreamableHTTPClientTransport(new URL(`${hrUrl}/mcp`), { authProvider: provider }).finishAuth(callback);
    expect(decodeScope(provider.saved?.access_token)).toEqual(['hr:read', 'hr:write', 'hr:approve']);
    const result = (await approve(client)) as { isError?: boolean; content: Array<{ text: string }> };
    expect(result.isError).toBeFalsy();
    await client.close();
  });

  it('bob is refused by his role: no step-up is offered, the call stays refused', async () => {
    const provider = new TestOAuthClient('http://127.0.0.1:8980/callback');
    const client = await connect(provider, personSignsIn(provider, 'bob'));
    provider.authorizationUrl = undefined;
    await expect(approve(client)).rejects.toThrow(/not available to role AssistantManager/);
    expect(provider.authorizationUrl).toBeUndefined();
    await client.close();
  });
});

function decodeScope(token: string | undefined): string[] {
  const payload = JSON.parse(Buffer.from((token ?? '').split('.')[1] ?? '', 'base64url').toString()) as { scope?: string };
  return (payload.scope ?? '').split(' ').filter(Boolean);
}

describe('refresh after the access token expires, and a replayed refresh token', () => {
  it('the SDK refreshes by itself once the token has expired; replaying the old refresh token revokes the sign-in, and hr-server refuses it', async () => {
    // Its own pair: access tokens live 2 s, and hr-server allows no clock skew.
    const short = await startPair('short', { TOKEN_TTL_SECONDS: '2' }, { JWT_CLOCK_TOLERANCE_SECONDS: '0' });
    const provider = new TestOAuthClient('http://127.0.0.1:8981/callback');
    const client = await connect(provider, personSignsIn(provider, 'carol', short), short);
    const first = provider.saved as NonNullable<typeof provider.saved>;
    const exp = JSON.parse(Buffer.from(first.access_token.split('.')[1] as string, 'base64url').toString()).exp as number;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 1200));
    const listTools = (token: string) =>
      fetch(`${short.hrUrl}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    expect((await listTools(first.access_token)).headers.get('www-authenticate')).toContain('Token expired');
    // The SDK meets the 401, refreshes (no browser), and lists carol's tools.
    expect((await client.listTools()).tools).toHaveLength(3);
    const second = provider.saved as NonNullable<typeof provider.saved>;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await client.close();

    // A copy of the first refresh token is replayed: refused, and the whole sign-in is revoked.
    const replay = await fetch(`${short.issuerUrl}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token as string,
        client_id: provider.clientInformation()?.client_id as string,
      }),
    });
    expect(replay.status).toBe(400);
    await expect
      .poll(async () => (await listTools(second.access_token)).headers.get('www-authenticate'), { timeout: 3_000, interval: 100 })
      .toContain('Token revoked');
  });
});
