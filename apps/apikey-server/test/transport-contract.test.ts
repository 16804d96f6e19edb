// The transport contract with plain fetch: session binding, Origin/Host checks, malformed input,
// stateless calls, batches and session lifecycle.
import { createApiKey } from '@mcp-auth/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, INITIALIZE_PARAMS, JSON_HEADERS, rpc, startServer } from './harness.js';

let h: Harness;
let otherKey: string;
beforeAll(async () => {
  h = await startServer({ MAX_BODY_BYTES: '4096' });
  otherKey = (await createApiKey(h.store, { name: 'other' })).key;
});
afterAll(async () => h.close());

const url = (path: string) => new URL(path, h.base);
const post = (headers: Record<string, string>, body: string, path = '/mcp') =>
  fetch(url(path), { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body });

async function openSession(key: string): Promise<string> {
  const res = await post({ 'X-API-Key': key }, rpc('initialize', INITIALIZE_PARAMS));
  expect(res.status).toBe(200);
  const id = res.headers.get('mcp-session-id');
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  await res.text();
  const ack = await post(
    { 'X-API-Key': key, 'mcp-session-id': id as string },
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  );
  expect(ack.status).toBe(202);
  return id as string;
}

/** Opens a legacy SSE session and returns its POST endpoint, keeping the stream open. */
async function openSseSession(key: string): Promise<{ endpoint: URL; events: () => string; close: () => void }> {
  const controller = new AbortController();
  const res = await fetch(url('/sse'), { headers: { 'X-API-Key': key, accept: 'text/event-stream' }, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  const decoder = new TextDecoder();
  while (!text.includes('event: endpoint')) text += decoder.decode((await reader.read()).value);
  const data = /event: endpoint\ndata: (.*)\n/.exec(text)?.[1] as string;
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    } catch {}
  })();
  return { endpoint: new URL(data, url('/sse')), events: () => text, close: () => controller.abort() };
}

describe('sessions are bound to the principal that opened them', () => {
  it('Streamable HTTP: another key reusing the session id gets 404; the owner keeps working', async () => {
    const id = await openSession(h.key);
    const hijack = await post({ 'X-API-Key': otherKey, 'mcp-session-id': id }, rpc('tools/list'));
    expect(hijack.status).toBe(404);
    expect(await hijack.json()).toMatchObject({ jsonrpc: '2.0', error: { message: 'Session not found' } });
    const owner = await post({ 'X-API-Key': h.key, 'mcp-session-id': id }, rpc('tools/list'));
    expect(owner.status).toBe(200);
    expect(owner.headers.get('mcp-session-id')).toBe(id);
  });

  it('Streamable HTTP: a closed session id gets 404', async () => {
    const id = await openSession(h.key);
    const del = await fetch(url('/mcp'), { method: 'DELETE', headers: { 'X-API-Key': h.key, 'mcp-session-id': id } });
    expect(del.status).toBe(200);
    expect((await post({ 'X-API-Key': h.key, 'mcp-session-id': id }, rpc('tools/list'))).status).toBe(404);
    expect((await post({ 'X-API-Key': h.key, 'mcp-session-id': 'not-a-session' }, rpc('tools/list'))).status).toBe(404);
  });

  it('Streamable HTTP: another key cannot DELETE or listen on the session', async () => {
    const id = await openSession(h.key);
    const del = await fetch(url('/mcp'), { method: 'DELETE', headers: { 'X-API-Key': otherKey, 'mcp-session-id': id } });
    expect(del.status).toBe(404);
    const get = await fetch(url('/mcp'), { headers: { 'X-API-Key': otherKey, 'mcp-session-id': id, accept: 'text/event-stream' } });
    expect(get.status).toBe(404);
    expect((await post({ 'X-API-Key': h.key, 'mcp-session-id': id }, rpc('ping'))).status).toBe(200);
  });

  it('SSE: POST /messages with another key gets 404 and nothing reaches the stream', async () => {
    const sse = await openSseSession(h.key);
    try {
      const hijack = await post({ 'X-API-Key': otherKey }, rpc('tools/list', {}, 'stolen'), sse.endpoint.pathname + sse.endpoint.search);
      expect(hijack.status).toBe(404);
      const own = await post(
        { 'X-API-Key': h.key },
        rpc('initialize', INITIALIZE_PARAMS, 'mine'),
        sse.endpoint.pathname + sse.endpoint.search,
      );
      expect(own.status).toBe(202);
      await expect.poll(() => sse.events()).toContain('"id":"mine"');
      expect(sse.events()).not.toContain('"id":"stolen"');
    } finally {
      sse.close();
    }
  });

  it('SSE: a session id that closed gets 404', async () => {
    const sse = await openSseSession(h.key);
    sse.close();
    const path = sse.endpoint.pathname + sse.endpoint.search;
    await expect.poll(async () => (await post({ 'X-API-Key': h.key }, rpc('ping'), path)).status).toBe(404);
  });
});

describe('DNS rebinding protection', () => {
  it('a foreign Origin gets 403, before authentication', async () => {
    const res = await post({ 'X-API-Key': h.key, Origin: 'https://evil.example' }, rpc('tools/list'));
    expect(res.status).toBe(403);
    expect((await post({ Origin: 'https://evil.example' }, rpc('tools/list'))).status).toBe(403);
  });

  it('a loopback Origin (a local browser client such as the MCP Inspector) is allowed', async () => {
    const res = await post({ 'X-API-Key': h.key, Origin: 'http://localhost:6274' }, rpc('tools/list'));
    expect(res.status).toBe(200);
  });

  it('a foreign Host gets 403', async () => {
    const res = await fetch(url('/health'), { headers: { Host: 'attacker.example' } }).catch(() => undefined);
    // undici refuses to override Host; speak raw HTTP instead.
    void res;
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: Number(h.base.port),
          path: '/mcp',
          method: 'POST',
          headers: { host: 'rebound.attacker.example', 'x-api-key': h.key, 'content-type': 'application/json' },
        },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(rpc('tools/list'));
    });
    expect(status).toBe(403);
  });
});

describe('malformed input gets 4xx with a JSON-RPC error, never 500', () => {
  const auth = () => ({ 'X-API-Key': h.key });
  it.each([
    ['garbage JSON', '{"jsonrpc": "2.0", "id": 1, "method": ', 400, -32700],
    ['an empty body', '', 400, -32700],
    ['JSON that is not JSON-RPC', '{"hello":"world"}', 400, -32600],
    ['a wrong jsonrpc version', '{"jsonrpc":"1.0","id":1,"method":"ping"}', 400, -32600],
    ['a non-string method', '{"jsonrpc":"2.0","id":1,"method":7}', 400, -32600],
    ['an object id', '{"jsonrpc":"2.0","id":{},"method":"ping"}', 400, -32600],
    ['an empty batch', '[]', 400, -32600],
    ['a bare number', '42', 400, -32600],
  ])('%s', async (_name, body, status, code) => {
    for (const path of ['/mcp']) {
      const res = await post(auth(), body, path);
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code } });
    }
  });

  it('garbage on POST /messages too', async () => {
    const sse = await openSseSession(h.key);
    try {
      const res = await post(auth(), '{nope', sse.endpoint.pathname + sse.endpoint.search);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: -32700 } });
    } finally {
      sse.close();
    }
  });

  it('a body over the limit gets 413', async () => {
    const res = await post(auth(), rpc('tools/call', { name: 'get_time', arguments: { timezone: 'x'.repeat(8000) } }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: -32600 } });
  });

  it('a non-JSON content type gets 415', async () => {
    const res = await fetch(url('/mcp'), { method: 'POST', headers: { ...auth(), 'content-type': 'text/plain' }, body: 'hi' });
    expect(res.status).toBe(415);
  });

  it('an unsupported MCP-Protocol-Version gets 400', async () => {
    const res = await post({ ...auth(), 'mcp-protocol-version': '1999-01-01' }, rpc('ping'));
    expect(res.status).toBe(400);
  });

  it('an Accept header that allows neither JSON nor SSE gets 406', async () => {
    const res = await fetch(url('/mcp'), {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json', accept: 'text/html' },
      body: rpc('ping'),
    });
    expect(res.status).toBe(406);
  });

  it('an unknown method is a JSON-RPC error inside a 200, as the protocol says', async () => {
    const res = await post(auth(), rpc('no/such/method'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 1, error: { code: -32601 } });
  });
});

describe('stateless use and batches', () => {
  it('tools/call without initialize or session works and returns the caller id', async () => {
    const res = await post({ 'X-API-Key': h.key }, rpc('tools/call', { name: 'get_time', arguments: { timezone: 'UTC' } }, 'abc'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('mcp-session-id')).toBeNull();
    const body = await res.json();
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 'abc', result: { structuredContent: { timezone: 'UTC', utcOffset: '+00:00' } } });
  });

  it('two callers using the same request id concurrently each get their own answer', async () => {
    const zones = ['Asia/Tokyo', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney'];
    const answers = await Promise.all(
      zones.map(async (zone, i) => {
        const res = await post(
          { 'X-API-Key': i % 2 ? otherKey : h.key },
          rpc('tools/call', { name: 'get_time', arguments: { timezone: zone } }, 7),
        );
        return (await res.json()) as { id: number; result: { structuredContent: { timezone: string } } };
      }),
    );
    answers.forEach((answer, i) => {
      expect(answer.id).toBe(7);
      expect(answer.result.structuredContent.timezone).toBe(zones[i]);
    });
  });

  it('a batch gets an array of responses in one JSON body', async () => {
    const body = JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_time', arguments: { timezone: 'UTC' } } },
    ]);
    const res = await post({ 'X-API-Key': h.key }, body);
    const answers = (await res.json()) as Array<{ id: number }>;
    expect(answers.map((a) => a.id).sort()).toEqual([1, 2]);
  });

  it('a POST of only notifications gets 202 with no body', async () => {
    const res = await post({ 'X-API-Key': h.key }, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    expect(res.status).toBe(202);
    expect(await res.text()).toBe('');
  });

  it('GET /mcp without a session is 405; GET /health is public', async () => {
    const res = await fetch(url('/mcp'), { headers: { 'X-API-Key': h.key, accept: 'text/event-stream' } });
    expect(res.status).toBe(405);
    const health = await fetch(url('/health'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', server: 'apikey-server' });
  });
});
