// Kit behaviour no single auth method owns: a POST that turns into an SSE stream when a tool reports
// progress, cancellation when a client leaves, internal errors hidden from callers, clean shutdown.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { closeWithinDrain } from '../src/app/shutdown.js';
import { HEADERS, startKitApp, startKitAppsClosedAfterEach } from './kit-harness.js';

const start = startKitAppsClosedAfterEach();

const call = (name: string, args: Record<string, unknown> = {}, id: number | string = 1, meta?: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } });

async function client(base: URL, token = 'token-alice') {
  const c = new Client({ name: 't', version: '1' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  return c;
}

describe('responses', () => {
  it('a plain call is one JSON body', async () => {
    const { base } = await start();
    const res = await fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: 'Bearer token-alice' },
      body: call('whoami'),
    });
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ id: 1, result: { content: [{ text: 'alice' }] } });
  });

  it('progress notifications switch the same response to SSE, in order, ending with the result', async () => {
    const { base } = await start();
    const res = await fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: 'Bearer token-alice' },
      body: call('count', { n: 3 }, 'c1', { progressToken: 'p1' }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((frame) =>
        JSON.parse(
          frame
            .split('\n')
            .find((l) => l.startsWith('data: '))
            ?.slice(6) as string,
        ),
      );
    expect(events.map((e) => e.method ?? 'result')).toEqual([
      'notifications/progress',
      'notifications/progress',
      'notifications/progress',
      'result',
    ]);
    expect(events.at(-1)).toMatchObject({ id: 'c1', result: { content: [{ text: 'counted to 3' }] } });
  });

  it('the SDK client receives progress through onprogress', async () => {
    const { base } = await start();
    const c = await client(base);
    const seen: number[] = [];
    const result = await c.callTool({ name: 'count', arguments: { n: 4 } }, { onprogress: (p) => seen.push(p.progress) });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(result.content).toEqual([{ type: 'text', text: 'counted to 4' }]);
    await c.close();
  });

  it('a JSON-only client still gets the final result when a tool reports progress', async () => {
    const { base } = await start();
    const res = await fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer token-alice' },
      body: call('count', { n: 2 }, 9, { progressToken: 1 }),
    });
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ id: 9, result: { content: [{ text: 'counted to 2' }] } });
  });

  it('an unexpected tool exception is hidden behind a generic message and logged', async () => {
    const { base, logs } = await start();
    const c = await client(base);
    const result = await c.callTool({ name: 'crash', arguments: {} });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).not.toContain('hunter2');
    expect(JSON.stringify(result.content)).toContain('Internal error in crash');
    expect(logs()).toContain('tool failed unexpectedly');
    await c.close();
  });
});

describe('cancellation', () => {
  it('a client that disconnects mid-call aborts the tool, and the call is audited as cancelled', async () => {
    const { base, probe, logs } = await start();
    const controller = new AbortController();
    const pending = fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: 'Bearer token-alice' },
      body: call('wait'),
      signal: controller.signal,
    }).catch(() => undefined);
    await expect.poll(() => probe.signals.length).toBe(1);
    controller.abort();
    await pending;
    await expect.poll(() => probe.signals[0]?.aborted).toBe(true);
    await expect.poll(() => logs()).toContain('"outcome":"cancelled"');
  });

  it('notifications/cancelled from the SDK client aborts the right call, even with colliding ids', async () => {
    const { base, probe } = await start();
    // bob's request uses the same JSON-RPC id as alice's; only alice's must be cancelled.
    const bob = fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: 'Bearer token-bob' },
      body: call('wait', {}, 5),
    });
    await expect.poll(() => probe.signals.length).toBe(1);
    const alice = fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: 'Bearer token-alice' },
      body: call('wait', {}, 5),
    });
    await expect.poll(() => probe.signals.length).toBe(2);
    const cancel = await fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: 'Bearer token-alice' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 5, reason: 'user' } }),
    });
    expect(cancel.status).toBe(202);
    await expect.poll(() => probe.signals[1]?.aborted).toBe(true);
    expect(probe.signals[0]?.aborted).toBe(false);
    expect((await alice).status).toBe(202); // nothing left to answer on alice's POST
    probe.release();
    expect(await (await bob).json()).toMatchObject({ id: 5, result: { content: [{ text: 'released' }] } });
  });
});

describe('shutdown', () => {
  it('ends SSE streams cleanly and lets an in-flight call finish before closing', async () => {
    const { app, base, probe } = await startKitApp();
    const sse = await fetch(new URL('/sse', base), { headers: { authorization: 'Bearer token-alice', accept: 'text/event-stream' } });
    const reader = (sse.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // endpoint event
    const inflight = fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: 'Bearer token-alice' },
      body: call('wait'),
    });
    await expect.poll(() => probe.signals.length).toBe(1);

    const closing = app.close();
    // The SSE stream ends as a normal end of stream, not a reset.
    let done = false;
    while (!done) done = (await reader.read()).done;
    setTimeout(() => probe.release(), 50);
    const answer = await inflight;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ result: { content: [{ text: 'released' }] } });
    await closing;
  });
});

describe('shutdown drain deadline (SHUTDOWN_DRAIN_SECONDS)', () => {
  it('answers a call still running at the deadline with "server shutting down" and cancels it, instead of a reset', async () => {
    const { app, base, probe } = await startKitApp();
    const inflight = fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: 'Bearer token-alice' },
      body: call('wait', {}, 'long-call'),
    });
    await expect.poll(() => probe.signals.length).toBe(1);
    const closing = closeWithinDrain(app, 200);
    const answer = await inflight;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ jsonrpc: '2.0', id: 'long-call', error: { code: -32000, message: 'server shutting down' } });
    await closing;
    expect(probe.signals[0]?.aborted).toBe(true);
  });

  it('a call that ends before the deadline gets its result', async () => {
    const { app, base, probe } = await startKitApp();
    const inflight = fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: 'Bearer token-alice' },
      body: call('wait'),
    });
    await expect.poll(() => probe.signals.length).toBe(1);
    const closing = closeWithinDrain(app, 5000);
    setTimeout(() => probe.release(), 50);
    expect(await (await inflight).json()).toMatchObject({ result: { content: [{ text: 'released' }] } });
    await closing;
  });
});

describe('session caps (SESSION_MAX_TOTAL, SESSION_MAX_PER_PRINCIPAL)', () => {
  const initialize = (base: URL, token: string) =>
    fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: `Bearer ${token}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });

  it('a full server answers initialize and GET /sse with 503 and Retry-After', async () => {
    const { base } = await start({ sessions: { maxTotal: 1, maxPerPrincipal: 1, idleTimeoutMs: 30_000 } });
    expect((await initialize(base, 'token-alice')).status).toBe(200);
    const full = await initialize(base, 'token-bob');
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('30');
    expect(await full.json()).toMatchObject({ error: { message: expect.stringContaining('Too many open sessions') } });
    const sse = await fetch(new URL('/sse', base), { headers: { authorization: 'Bearer token-bob', accept: 'text/event-stream' } });
    expect(sse.status).toBe(503);
    expect(sse.headers.get('retry-after')).toBe('30');
  });

  it("a principal over its own cap loses its least recently used session, not other principals' room", async () => {
    const { base } = await start({ sessions: { maxTotal: 3, maxPerPrincipal: 2 } });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await initialize(base, 'token-alice')).headers.get('mcp-session-id') as string);
    const ping = (id: string) =>
      fetch(new URL('/mcp', base), {
        method: 'POST',
        headers: { ...HEADERS, authorization: 'Bearer token-alice', 'mcp-session-id': id },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
      });
    expect((await ping(ids[0] as string)).status).toBe(404);
    expect((await ping(ids[2] as string)).status).toBe(200);
    expect((await initialize(base, 'token-bob')).status).toBe(200);
  });
});

describe('CORS for browser clients on allowed origins', () => {
  it('answers a preflight from a loopback origin without credentials, and exposes the session id', async () => {
    const { base } = await start();
    const preflight = await fetch(new URL('/mcp', base), {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, mcp-session-id',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('mcp-session-id');
    const res = await fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, origin: 'http://localhost:6274', authorization: 'Bearer token-alice' },
      body: call('whoami'),
    });
    expect(res.headers.get('access-control-expose-headers')).toContain('mcp-session-id');
  });

  it('refuses a preflight from a foreign origin', async () => {
    const { base } = await start();
    const preflight = await fetch(new URL('/mcp', base), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
