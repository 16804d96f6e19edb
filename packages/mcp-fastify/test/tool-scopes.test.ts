// Per-tool scopes on a real hr-server (issue 13, point 4): a tools/call the token's scopes do not cover
// is answered HTTP 403 with the MCP runtime insufficient-scope challenge before any tool code runs, on
// both transports; the role is still checked first and separately; `mcp` still covers everything; the
// 401 names the base scopes; tools/list shows what the token's scopes and the role allow, plus step-up
// tools; and the official SDK client (v2, and v1 as clients in the field run it) turns the 403 into a
// re-authorization for the named scopes.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createRs256TokenIssuer, DEFAULT_POLICY_PATH, grantableScopes, loadKeySet, loadPolicy, writeKeyPair } from '@mcp-auth/auth';
import { type Database, embeddedConnection } from '@mcp-auth/database';
import { createHrTools, openHrData } from '@mcp-auth/tools';
import {
  Client,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
// SDK v1 stays for the step-up below: clients in the field run it, and it meets the 403 differently.
import type { OAuthClientProvider as V1OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createResourceServer, EnvReader, type FastifyInstance, readResourceServerConfig } from '../src/index.js';
import { connectClient, freePort } from '../testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'scopes-'));
const policy = loadPolicy(DEFAULT_POLICY_PATH);
const logs: string[] = [];
const logger = createLogger({
  level: 'info',
  destination: new Writable({
    write(c, _e, done) {
      logs.push(String(c));
      done();
    },
  }),
});

const PEOPLE = {
  alice: { sub: 'alice', name: 'Alice', job_role: 'Manager', id: 'EMP-001' },
  bob: { sub: 'bob', name: 'Bob', job_role: 'AssistantManager', id: 'EMP-002' },
  carol: { sub: 'carol', name: 'Carol', job_role: 'Employee', id: 'EMP-003' },
} as const;
type Who = keyof typeof PEOPLE;

let app: FastifyInstance;
let db: Database<unknown>;
let base: string;
let metadataUrl: string;
let sign: (who: Who, scope: string) => Promise<string>;

/**
 * A stand-in authorization server on loopback, for the SDK client's step-up only: RFC 8414 metadata
 * and a token endpoint that grants what was asked for, narrowed to what the person's role may be
 * given (`grantableScopes`, as the issuer does). `authorize` plays the browser: it turns the URL the
 * SDK sent the person to into a code for `who`.
 */
const as = {
  server: undefined as Server | undefined,
  url: '',
  codes: new Map<string, { who: Who; scope: string }>(),
  refreshes: new Map<string, { who: Who; scope: string }>(),
  tokenRequests: [] as URLSearchParams[],
  authorize(url: URL, who: Who): string {
    const code = `code-${this.codes.size + 1}`;
    this.codes.set(code, { who, scope: url.searchParams.get('scope') ?? '' });
    return code;
  },
};

async function startAuthorizationServer() {
  const port = await freePort();
  as.url = `http://127.0.0.1:${port}`;
  as.server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/.well-known/oauth-authorization-server') {
      return send(200, {
        issuer: as.url,
        authorization_endpoint: `${as.url}/authorize`,
        token_endpoint: `${as.url}/token`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
      });
    }
    if (req.method === 'POST' && req.url === '/token') {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', async () => {
        const form = new URLSearchParams(body);
        as.tokenRequests.push(form);
        const grant =
          form.get('grant_type') === 'authorization_code'
            ? as.codes.get(form.get('code') ?? '')
            : as.refreshes.get(form.get('refresh_token') ?? '');
        if (!grant) return send(400, { error: 'invalid_grant' });
        const allowed = grantableScopes(policy, [PEOPLE[grant.who].job_role]);
        const scope = grant.scope
          .split(' ')
          .filter((s) => allowed.includes(s))
          .join(' ');
        send(200, { access_token: await sign(grant.who, scope), token_type: 'Bearer', expires_in: 600, scope });
      });
      return;
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => as.server?.listen(port, '127.0.0.1', resolve));
}

beforeAll(async () => {
  writeKeyPair(join(dir, 'keys'));
  const keys = loadKeySet(join(dir, 'keys'));
  const issuer = createRs256TokenIssuer({ keys: { current: () => keys.signing }, issuer: 'https://dev-issuer.com', ttlSeconds: 600 });
  sign = async (who, scope) => (await issuer.issue({ subject: who, audience: 'my-mcp-server', scope, claims: { ...PEOPLE[who] } })).token;
  await startAuthorizationServer();
  const port = await freePort();
  const env = new EnvReader({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ISSUER_URL: as.url,
    // The tokens here are signed by the test with the article's iss, not by the stand-in server.
    ISSUER: 'https://dev-issuer.com',
    DATA_DIR: dir,
    PUBLIC_KEY_FILE: join(dir, 'keys', 'public.pem'),
    LOG_LEVEL: 'info',
  });
  const config = readResourceServerConfig(env, { port, service: 'hr-server' });
  env.finish();
  db = await openHrData(config.database);
  app = await createResourceServer({ name: 'hr-server', title: 'HR', config, tools: createHrTools(db), logger });
  await app.listen({ host: '127.0.0.1', port });
  base = `http://127.0.0.1:${port}`;
  metadataUrl = `${base}/.well-known/oauth-protected-resource`;
});
afterAll(async () => {
  await app?.close();
  await db?.close();
  await new Promise((resolve) => as.server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const statusOf = (id: string) =>
  (embeddedConnection(db).prepare('SELECT status FROM leave_requests WHERE id = ?').get(id) as { status: string }).status;

async function post(token: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}/mcp`, {
    method: 'POST',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'content-type': 'application/json',
      accept: 'application/json',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}
const toolCall = (name: string, args: Record<string, unknown>, id = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

let nextLeaveDay = 40;
/** A fresh pending leave request of bob's (made with an `mcp` token), for a call to decide. */
async function pendingLeave(): Promise<string> {
  const day = new Date(Date.now() + nextLeaveDay++ * 86_400_000).toISOString().slice(0, 10);
  const res = await post(
    await sign('bob', 'mcp'),
    toolCall('create_leave_request', { leave_type: 'personal', start_date: day, end_date: day, reason: 'Errand' }),
  );
  const body = (await res.json()) as { result: { structuredContent: { leave_request: { id: string } } } };
  return body.result.structuredContent.leave_request.id;
}

async function listed(who: Who, scope: string): Promise<string[]> {
  const res = await post(await sign(who, scope), { jsonrpc: '2.0', id: 1, method: 'tools/list' });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { result: { tools: Array<{ name: string }> } };
  return body.result.tools.map((t) => t.name).sort();
}

const challenge403 = (tools: string, missing: string, scope: string) =>
  `Bearer realm="hr-server", error="insufficient_scope", error_description="Calling ${tools} needs the scope${missing.includes(' ') ? 's' : ''} ${missing}, which this token does not carry", scope="${scope}", resource_metadata="${metadataUrl}"`;

describe('what a client is told to ask for', () => {
  it('the 401 without a token names the base scopes and the metadata', async () => {
    const res = await post(undefined, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="hr-server", scope="hr:read hr:write", resource_metadata="${metadataUrl}"`,
    );
  });

  it('the RFC 9728 metadata lists the server scopes from the policy', async () => {
    const metadata = (await (await fetch(metadataUrl)).json()) as { scopes_supported: string[] };
    expect(metadata.scopes_supported).toEqual(['hr:read', 'hr:write', 'hr:approve']);
  });

  it('a token with no scope for this server is refused on every request, naming the base scopes', async () => {
    for (const scope of ['crm:read offline_access', '']) {
      const res = await post(await sign('alice', scope), { jsonrpc: '2.0', id: 1, method: 'tools/list' });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer realm="hr-server", error="insufficient_scope", error_description="Token carries no scope for this server; ask for hr:read hr:write", scope="hr:read hr:write", resource_metadata="${metadataUrl}"`,
      );
    }
  });
});

describe('a call the token does not cover: 403 with the challenge, before any tool code', () => {
  it('alice with hr:read hr:write calling approve_leave_request', async () => {
    const before = logs.length;
    const res = await post(
      await sign('alice', 'hr:read hr:write offline_access'),
      toolCall('approve_leave_request', { request_id: 'LR-0004' }),
    );
    expect(res.status).toBe(403);
    // Held scopes are kept in the challenge: the client re-authorizes for exactly this list.
    expect(res.headers.get('www-authenticate')).toBe(challenge403('approve_leave_request', 'hr:approve', 'hr:read hr:write hr:approve'));
    expect(await res.json()).toEqual({
      error: 'insufficient_scope',
      error_description: 'Calling approve_leave_request needs the scope hr:approve, which this token does not carry',
    });
    expect(statusOf('LR-0004')).toBe('pending');
    const audit = logs
      .slice(before)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === 'tool_call');
    expect(audit).toEqual([
      expect.objectContaining({
        tool: 'approve_leave_request',
        principal: 'https://dev-issuer.com#alice',
        decision: 'deny',
        outcome: 'denied',
        requiredScope: 'hr:read hr:write hr:approve',
      }),
    ]);
  });

  it('a write with only hr:read, and a batch (MCP 2025-03-26) naming every scope its calls need at once', async () => {
    const id = await pendingLeave();
    const res = await post(await sign('alice', 'hr:read'), toolCall('reject_leave_request', { request_id: id, reason: 'no' }));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(challenge403('reject_leave_request', 'hr:approve', 'hr:read hr:approve'));

    const batch = await post(
      await sign('alice', 'hr:read'),
      [
        toolCall('get_leave_requests', {}, 1),
        toolCall(
          'add_employee_record',
          { first_name: 'X', last_name: 'Y', email: 'x@y.example', department: 'X', position: 'Y', hire_date: '2026-01-01' },
          2,
        ),
        toolCall('approve_leave_request', { request_id: id }, 3),
      ],
      { 'mcp-protocol-version': '2025-03-26' },
    );
    expect(batch.status).toBe(403);
    expect(batch.headers.get('www-authenticate')).toBe(
      challenge403('add_employee_record, approve_leave_request', 'hr:write hr:approve', 'hr:read hr:write hr:approve'),
    );
    expect(statusOf(id)).toBe('pending');
  });

  it('legacy SSE: the POST /messages carrying the call is answered 403 with the same challenge', async () => {
    const token = await sign('alice', 'hr:read hr:write');
    const headers = { Authorization: `Bearer ${token}` };
    const client = await connectClient('sse', base, { headers });
    try {
      await expect(client.callTool({ name: 'approve_leave_request', arguments: { request_id: 'LR-0004' } })).rejects.toThrow(
        /HTTP 403.*insufficient_scope.*hr:approve/,
      );
      const raw = await fetch(`${base}/messages?sessionId=${client.sessionId}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(toolCall('approve_leave_request', { request_id: 'LR-0004' }, 9)),
      });
      expect(raw.status).toBe(403);
      expect(raw.headers.get('www-authenticate')).toBe(challenge403('approve_leave_request', 'hr:approve', 'hr:read hr:write hr:approve'));
      // The session is still good for what the token covers.
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(9);
    } finally {
      await client.close();
    }
    expect(statusOf('LR-0004')).toBe('pending');
  });
});

describe('with the scope, the role still decides', () => {
  it('alice (Manager) with hr:approve approves', async () => {
    const id = await pendingLeave();
    const res = await post(await sign('alice', 'hr:read hr:approve'), toolCall('approve_leave_request', { request_id: id }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { isError?: boolean } };
    expect(body.result.isError).toBeFalsy();
    expect(statusOf(id)).toBe('approved');
  });

  it('bob (AssistantManager) is refused by RBAC as before, with or without the scope: no step-up he could not pass', async () => {
    // The shipped policy gives bob's role no approvals.
    expect(policy.roles.AssistantManager?.access['hr-server']?.tools).not.toContain('approve_leave_request');
    const id = await pendingLeave();
    for (const scope of ['hr:read hr:write hr:approve', 'hr:read']) {
      const res = await post(await sign('bob', scope), toolCall('approve_leave_request', { request_id: id }));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        'Tool approve_leave_request is not available to role AssistantManager on hr-server',
      );
    }
    expect(statusOf(id)).toBe('pending');
  });

  it('mcp covers every tool the role allows', async () => {
    const id = await pendingLeave();
    const res = await post(await sign('alice', 'mcp'), toolCall('reject_leave_request', { request_id: id, reason: 'Busy week' }));
    expect(res.status).toBe(200);
    expect(statusOf(id)).toBe('rejected');
    expect(await listed('alice', 'mcp')).toHaveLength(9);
    expect(await listed('carol', 'mcp')).toEqual(['get_employee_records', 'get_leave_requests', 'get_performance_reviews']);
  });
});

describe('tools/list: what the role allows and the scopes cover, and step-up tools', () => {
  it.each([
    [
      'alice',
      'hr:read',
      [
        'approve_leave_request',
        'get_employee_records',
        'get_hr_summary',
        'get_leave_requests',
        'get_performance_reviews',
        'reject_leave_request',
      ],
    ],
    [
      'alice',
      'hr:write',
      ['add_employee_record', 'approve_leave_request', 'create_leave_request', 'create_performance_review', 'reject_leave_request'],
    ],
    ['alice', 'hr:approve', ['approve_leave_request', 'reject_leave_request']],
    ['bob', 'hr:read hr:approve', ['get_employee_records', 'get_hr_summary', 'get_leave_requests', 'get_performance_reviews']],
    ['carol', 'hr:read hr:write', ['get_employee_records', 'get_leave_requests', 'get_performance_reviews']],
  ] as const)('%s with %s', async (who, scope, expected) => {
    expect(await listed(who, scope)).toEqual([...expected].sort());
  });
});

/** The smallest OAuthClientProvider a browser client has: tokens in memory, the redirect recorded. */
class RecordingProvider implements OAuthClientProvider {
  redirectedTo: URL | undefined;
  private verifier = '';
  private info: OAuthClientInformationMixed | undefined = { client_id: 'step-up-test' };
  constructor(private current: OAuthTokens | undefined) {}
  get redirectUrl() {
    return 'http://127.0.0.1:1/callback';
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: 'step-up test', redirect_uris: ['http://127.0.0.1:1/callback'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.current;
  }
  saveTokens(tokens: OAuthTokens) {
    this.current = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.redirectedTo = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  // v2 checks on the callback leg that the code goes to the authorization server the person was sent to.
  private discovery: OAuthDiscoveryState | undefined;
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
}

/** A connected client of either SDK with `provider`, and its transport's finishAuth. */
interface StepUpClient {
  callTool: (name: string, args: Record<string, unknown>) => Promise<{ isError?: boolean }>;
  finishAuth: (code: string) => Promise<void>;
  close: () => Promise<void>;
}
const SDKS: Record<'v2' | 'v1', (provider: RecordingProvider) => Promise<StepUpClient>> = {
  async v2(provider) {
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', base), { authProvider: provider });
    const client = new Client({ name: 'step-up', version: '1' });
    await client.connect(transport);
    return {
      callTool: (name, args) => client.callTool({ name, arguments: args }),
      finishAuth: (code) => transport.finishAuth(code),
      close: () => client.close(),
    };
  },
  // v1 is kept: clients in the field still run it (1.32.2), and its step-up differs (see below).
  async v1(provider) {
    const transport = new V1StreamableHTTPClientTransport(new URL('/mcp', base), { authProvider: provider as V1OAuthClientProvider });
    const client = new V1Client({ name: 'step-up', version: '1' });
    await client.connect(transport);
    return {
      callTool: async (name, args) => (await client.callTool({ name, arguments: args })) as { isError?: boolean },
      finishAuth: (code) => transport.finishAuth(code),
      close: () => client.close(),
    };
  },
};

describe.each(['v2', 'v1'] as const)('the official SDK client (%s) on the 403', (sdk) => {
  const connected = SDKS[sdk];

  it('re-authorizes for exactly the challenged scopes; after the code exchange the retried call succeeds for alice', async () => {
    const id = await pendingLeave();
    const provider = new RecordingProvider({ access_token: await sign('alice', 'hr:read hr:write'), token_type: 'Bearer' });
    const client = await connected(provider);
    try {
      // 403 insufficient_scope -> auth() with the challenge's scope -> no refresh token, so a new
      // authorization: the person is sent to /authorize and the call rejects with UnauthorizedError.
      await expect(client.callTool('approve_leave_request', { request_id: id })).rejects.toThrow('Unauthorized');
      const url = provider.redirectedTo as URL;
      expect(`${url.origin}${url.pathname}`).toBe(`${as.url}/authorize`);
      expect(url.searchParams.get('scope')).toBe('hr:read hr:write hr:approve');
      expect(url.searchParams.get('resource')).toBe(`${base}/`);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(statusOf(id)).toBe('pending');

      await client.finishAuth(as.authorize(url, 'alice'));
      const result = await client.callTool('approve_leave_request', { request_id: id });
      expect(result.isError).toBeFalsy();
      expect(statusOf(id)).toBe('approved');
    } finally {
      await client.close();
    }
  });

  it('bob is never sent to re-authorize: his role is refused with a JSON-RPC error, not a 403', async () => {
    const id = await pendingLeave();
    const provider = new RecordingProvider({ access_token: await sign('bob', 'hr:read hr:write'), token_type: 'Bearer' });
    const client = await connected(provider);
    try {
      await expect(client.callTool('approve_leave_request', { request_id: id })).rejects.toThrow(
        'Tool approve_leave_request is not available to role AssistantManager on hr-server',
      );
      expect(provider.redirectedTo).toBeUndefined();
    } finally {
      await client.close();
    }
    expect(statusOf(id)).toBe('pending');
  });
});

describe('holding a refresh token on the 403', () => {
  const refreshGrants = () => as.tokenRequests.filter((f) => f.get('grant_type') === 'refresh_token').length;
  async function aliceWithRefreshToken() {
    as.refreshes.set('rt-alice', { who: 'alice', scope: 'hr:read hr:write' });
    return new RecordingProvider({
      access_token: await sign('alice', 'hr:read hr:write'),
      token_type: 'Bearer',
      refresh_token: 'rt-alice',
      // Stamped with the authorization server, as the SDK stamps what it saves.
      issuer: as.url,
    } as OAuthTokens);
  }

  it('v2 sends alice to re-authorize for the wider scopes: a refresh could not widen them', async () => {
    const id = await pendingLeave();
    const refreshesBefore = refreshGrants();
    const provider = await aliceWithRefreshToken();
    const client = await SDKS.v2(provider);
    try {
      const refused = await client.callTool('approve_leave_request', { request_id: id }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(UnauthorizedError);
      expect(provider.redirectedTo?.searchParams.get('scope')).toBe('hr:read hr:write hr:approve');
      expect(refreshGrants()).toBe(refreshesBefore);
    } finally {
      await client.close();
    }
    expect(statusOf(id)).toBe('pending');
  });

  it('v1 refreshes instead (same scopes) and gives up on the repeated 403', async () => {
    const id = await pendingLeave();
    const refreshesBefore = refreshGrants();
    const provider = await aliceWithRefreshToken();
    const client = await SDKS.v1(provider);
    try {
      await expect(client.callTool('approve_leave_request', { request_id: id })).rejects.toThrow(
        'Server returned 403 after trying upscoping',
      );
      expect(provider.redirectedTo).toBeUndefined();
      expect(refreshGrants()).toBe(refreshesBefore + 1);
    } finally {
      await client.close();
    }
    expect(statusOf(id)).toBe('pending');
  });
});
