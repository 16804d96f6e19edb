// MCP 2026-07-28 beside the legacy era on one /mcp: no sessions, the SDK v2 client pinned to the modern
// era, headers checked against the body, authorization from the headers before the body is read, lists
// private to the caller, and no state crossing between callers on pooled servers.
import { DEFAULT_POLICY_PATH, loadPolicy, type ServerAccess, toolScopeRule, type Verifier } from '@mcp-auth/auth';
import { defineTool } from '@mcp-auth/tools';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { closeWithinDrain } from '../src/app/shutdown.js';
import { startKitApp, startKitAppsClosedAfterEach } from './kit-harness.js';

const start = startKitAppsClosedAfterEach();

const MODERN = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw-fetch', version: '1' },
};

interface PostOptions {
  /** Extra or replacing headers. */
  headers?: Record<string, string>;
  /** Send no Mcp-Name header (a client that leaves it out). */
  withoutName?: boolean;
  /** Send this text as the body instead of the JSON-RPC request. */
  rawBody?: string;
  signal?: AbortSignal;
}

/** A 2026-07-28 POST as the spec writes it: the standard headers and the `_meta` envelope. */
function modernPost(base: URL, token: string, method: string, params: Record<string, unknown> = {}, options: PostOptions = {}) {
  const name: Record<string, string> = typeof params.name === 'string' && !options.withoutName ? { 'mcp-name': params.name } : {};
  return fetch(new URL('/mcp', base), {
    method: 'POST',
    ...(options.signal ? { signal: options.signal } : {}),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
      'mcp-protocol-version': MODERN,
      'mcp-method': method,
      ...name,
      ...options.headers,
    },
    body: options.rawBody ?? JSON.stringify({ jsonrpc: '2.0', id: 7, method, params: { ...params, _meta: META } }),
  });
}

async function modernClient(base: URL, token: string) {
  const client = new Client({ name: 'modern', version: '1' }, { versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

/** alice may use whoami and count; bob only whoami. */
const access = (principal: { id: string }): ServerAccess => ({
  role: principal.id === 'alice' ? 'lead' : 'guest',
  roles: [],
  tools: new Set(principal.id === 'alice' ? ['whoami', 'count'] : ['whoami']),
  fields: new Set(),
  rows: 'all',
});

describe('MCP 2026-07-28', () => {
  it('the SDK v2 client pinned to 2026-07-28 discovers, lists and calls, with no session', async () => {
    const { base } = await start();
    const client = await modernClient(base, 'token-alice');
    expect(client.getProtocolEra()).toBe('modern');
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['count', 'crash', 'wait', 'whoami']);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'alice' }]);
    await client.close();

    const res = await modernPost(base, 'token-alice', 'tools/call', { name: 'whoami', arguments: {} });
    expect(res.status).toBe(200);
    expect(res.headers.get('mcp-session-id')).toBeNull();
  });

  it('the same server still answers a 2025-11-25 client, in its own era', async () => {
    const { base } = await start();
    const client = new Client({ name: 'legacy', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: { authorization: 'Bearer token-bob' } } }),
    );
    expect(client.getProtocolEra()).toBe('legacy');
    expect((await client.callTool({ name: 'whoami', arguments: {} })).content).toEqual([{ type: 'text', text: 'bob' }]);
    await client.close();
  });

  it("a body that claims a 2025 revision in _meta is still the legacy era's, served as before", async () => {
    const { base } = await start();
    const res = await fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer token-alice' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/call',
        params: { name: 'whoami', arguments: {}, _meta: { 'io.modelcontextprotocol/protocolVersion': '2025-11-25' } },
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { result: { content: unknown; resultType?: string } };
    expect(body.result.content).toEqual([{ type: 'text', text: 'alice' }]);
    // The 2026-07-28 encoding would carry resultType: this answer is the 2025 era's.
    expect(body.result.resultType).toBeUndefined();
  });

  it('tools/list is per caller: cacheScope private with a ttlMs, and each role sees its own list', async () => {
    const { base } = await start({ access });
    const lists: Record<string, unknown> = {};
    for (const token of ['token-alice', 'token-bob']) {
      const body = (await (await modernPost(base, token, 'tools/list')).json()) as {
        result: { tools: Array<{ name: string }>; cacheScope: string; ttlMs: number };
      };
      expect(body.result.cacheScope).toBe('private');
      expect(body.result.ttlMs).toBeGreaterThan(0);
      lists[token] = body.result.tools.map((t) => t.name).sort();
    }
    expect(lists).toEqual({ 'token-alice': ['count', 'whoami'], 'token-bob': ['whoami'] });
  });

  it('an Mcp-Name that disagrees with the body is 400 HeaderMismatch (-32020), and nothing runs', async () => {
    const { base, logs } = await start({ access });
    const res = await modernPost(
      base,
      'token-alice',
      'tools/call',
      { name: 'whoami', arguments: {} },
      { headers: { 'mcp-name': 'count' } },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32020);
    const missing = await modernPost(base, 'token-alice', 'tools/call', { name: 'whoami', arguments: {} }, { withoutName: true });
    expect(missing.status).toBe(400);
    expect(logs()).not.toContain('"event":"tool_call"');
  });

  it('a tool the role may not use is refused from the headers, before the body is read', async () => {
    const { base, logs } = await start({ access });
    // The body is not even JSON: a refusal from the headers never parses it.
    const res = await modernPost(base, 'token-bob', 'tools/call', { name: 'count' }, { rawBody: '{ this is not json' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'Tool count is not available to role guest on kit-test',
    );
    expect(logs()).toContain('"decision":"deny"');
    // A name sent base64-encoded, as the spec has clients send unusual values, is decoded first.
    const encoded = await modernPost(
      base,
      'token-bob',
      'tools/call',
      { name: 'count', arguments: { n: 1 } },
      { headers: { 'mcp-name': `=?base64?${Buffer.from('count').toString('base64')}?=` } },
    );
    expect(encoded.status).toBe(403);
    // The same call from a role that may use it works.
    const allowed = await modernPost(base, 'token-alice', 'tools/call', { name: 'count', arguments: { n: 1 } });
    expect(allowed.status).toBe(200);
    await allowed.text();
    // Audited like a legacy call: who, which tool, the decision and the outcome.
    expect(logs()).toMatch(/"event":"tool_call".*"principal":"alice".*"tool":"count","decision":"allow","outcome":"ok"/);
  });

  it('a request whose headers name no tool is held to the role from its body', async () => {
    const { base, logs } = await start({ access });
    const res = await modernPost(base, 'token-bob', 'tools/call', { name: 'count', arguments: { n: 1 } }, { withoutName: true });
    expect(res.status).toBe(403);
    expect(logs()).toContain('"decision":"deny"');
  });

  it('the SDK v2 client sees a denied tool refused, and its progress notifications arrive on allowed calls', async () => {
    const { base } = await start({ access });
    const bob = await modernClient(base, 'token-bob');
    await expect(bob.callTool({ name: 'count', arguments: { n: 1 } })).rejects.toThrow();
    await bob.close();
    const alice = await modernClient(base, 'token-alice');
    const seen: number[] = [];
    const result = await alice.callTool({ name: 'count', arguments: { n: 3 } }, { onprogress: (p) => seen.push(p.progress) });
    expect(seen).toEqual([1, 2, 3]);
    expect(result.content).toEqual([{ type: 'text', text: 'counted to 3' }]);
    await alice.close();
  });

  it('a browser client (Inspector) may send the 2026-07-28 headers: CORS preflights allow them', async () => {
    const { base } = await start();
    const res = await fetch(new URL('/mcp', base), {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,mcp-protocol-version,mcp-method,mcp-name',
      },
    });
    expect(res.status).toBeLessThan(300);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const name of ['mcp-protocol-version', 'mcp-method', 'mcp-name']) expect(allowed).toContain(name);
  });

  it("a call the token's scopes do not cover is a 403 step-up challenge from the headers, and no tool code runs", async () => {
    const ran: string[] = [];
    const hrTool = (name: string) =>
      defineTool({
        name,
        description: name,
        inputSchema: {},
        annotations: {},
        handler: () => {
          ran.push(name);
          return { content: [{ type: 'text', text: name }] };
        },
      });
    const verifier: Verifier = {
      verify: () => ({ id: 'reader', method: 'jwt', subject: 'reader', clientId: 'reader', scopes: ['hr:read'] }),
    };
    const { base } = await start({ verifier, scopes: toolScopeRule(loadPolicy(DEFAULT_POLICY_PATH), 'hr-server') }, [
      hrTool('get_employee_records'),
      hrTool('approve_leave_request'),
    ]);
    const res = await modernPost(base, 'reader', 'tools/call', { name: 'approve_leave_request' }, { rawBody: '{ not json either' });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*hr:approve/);
    const covered = await modernPost(base, 'reader', 'tools/call', { name: 'get_employee_records', arguments: {} });
    expect(covered.status).toBe(200);
    await covered.text();
    expect(ran).toEqual(['get_employee_records']);
  });

  it('shutdown past its deadline answers a running 2026-07-28 call with an error and cancels its tool', async () => {
    const { app, base, probe } = await startKitApp();
    const inflight = modernPost(base, 'token-alice', 'tools/call', { name: 'wait', arguments: {} });
    await expect.poll(() => probe.signals.length).toBe(1);
    const closing = closeWithinDrain(app, 200);
    const answer = await inflight;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32000, message: 'server shutting down' } });
    await closing;
    expect(probe.signals[0]?.aborted).toBe(true);
  });

  it('a 2026-07-28 client that goes away mid-call cancels its tool', async () => {
    const { base, probe } = await start();
    const abort = new AbortController();
    const inflight = modernPost(base, 'token-alice', 'tools/call', { name: 'wait', arguments: {} }, { signal: abort.signal });
    await expect.poll(() => probe.signals.length).toBe(1);
    abort.abort();
    await inflight.catch(() => undefined);
    await expect.poll(() => probe.signals[0]?.aborted).toBe(true);
  });

  it('pooled servers carry nothing from one caller to the next (CVE-2026-25536 class)', async () => {
    const { base, app } = await start();
    const calls = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 'token-alice' : 'token-bob'));
    const answers = await Promise.all(
      calls.map(async (token) => {
        const body = (await (await modernPost(base, token, 'tools/call', { name: 'whoami', arguments: {} })).json()) as {
          result: { content: Array<{ text: string }> };
        };
        return [token, body.result.content[0]?.text] as const;
      }),
    );
    for (const [token, who] of answers) expect(`token-${who}`).toBe(token);
    await app.close();
  });
});
