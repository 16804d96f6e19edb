// JSON-RPC batches: refused for MCP 2025-06-18 and later (the protocol dropped them), capped at
// MAX_BATCH_MESSAGES for older clients, and dispatched so that one client's batch cannot hold other
// clients' requests until it is done. (A batch of 10,000 messages once held everyone for seconds.)
import { defineTool } from '@mcp-auth/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { HEADERS, startKitApp, testTools } from './kit-harness.js';

const CAP = 100; // the default MAX_BATCH_MESSAGES

type Started = Awaited<ReturnType<typeof startKitApp>>;
const started: Started[] = [];
const streams: AbortController[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.abort();
  await Promise.all(started.splice(0).map((s) => s.app.close()));
});

/** A kit app whose `spin` tool keeps the CPU busy for a few ms per call, as real work would. */
async function start() {
  const spin = { calls: 0, onFirstCall: () => {} };
  const tools = [
    ...testTools({ signals: [], release: () => {} }),
    defineTool({
      name: 'spin',
      description: 'Keeps the CPU busy for 3 ms',
      inputSchema: {},
      annotations: { readOnlyHint: true },
      handler: () => {
        if (spin.calls++ === 0) spin.onFirstCall();
        const until = performance.now() + 3;
        while (performance.now() < until) {}
        return { content: [{ type: 'text', text: 'spun' }] };
      },
    }),
  ];
  const s = await startKitApp({}, tools);
  started.push(s);
  /** Resolves when the first `spin` call of a batch has started. */
  const spinning = () =>
    new Promise<void>((resolve) => {
      spin.onFirstCall = resolve;
    });
  return { ...s, spin, spinning };
}

const call = (id: number | string, name: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });
const batchOf = (n: number, name = 'whoami') => Array.from({ length: n }, (_, i) => call(i + 1, name));

function post(base: URL, body: unknown, headers: Record<string, string> = {}, path = '/mcp', token = 'token-alice') {
  return fetch(new URL(path, base), {
    method: 'POST',
    headers: { ...HEADERS, authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
}

/** initialize over Streamable HTTP asking for `version`; returns the session id. */
async function openSession(base: URL, version: string): Promise<string> {
  const res = await post(base, {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' } },
  });
  expect(((await res.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe(version);
  return res.headers.get('mcp-session-id') as string;
}

/** A legacy SSE session: its POST endpoint and the JSON-RPC messages received on the stream so far. */
async function openSse(base: URL) {
  const controller = new AbortController();
  streams.push(controller);
  const res = await fetch(new URL('/sse', base), {
    headers: { authorization: 'Bearer token-alice', accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('event: endpoint')) text += decoder.decode((await reader.read()).value);
  const endpoint = new URL(/event: endpoint\ndata: (.*)\n/.exec(text)?.[1] as string, new URL('/sse', base));
  const messages: Array<{ id: number | string; result?: { content: Array<{ text: string }> }; error?: { message: string } }> = [];
  const waiters: Array<() => void> = [];
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value);
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const data = buffer
            .slice(0, end)
            .split('\n')
            .find((l) => l.startsWith('data: '));
          if (buffer.startsWith('event: message') && data) messages.push(JSON.parse(data.slice(6)));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
        for (const w of waiters.splice(0)) w();
      }
    } catch {}
  })();
  const received = async (count: number) => {
    while (messages.length < count) await new Promise<void>((r) => waiters.push(r));
    return messages;
  };
  return { path: endpoint.pathname + endpoint.search, messages, received };
}

describe('MCP 2025-06-18 and later: batches are refused', () => {
  it.each(['2025-06-18', '2025-11-25'])('MCP-Protocol-Version %s: 400 with a JSON-RPC Invalid Request, nothing run', async (version) => {
    const { base, spin } = await start();
    const res = await post(base, batchOf(2, 'spin'), { 'mcp-protocol-version': version });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message: `Invalid Request: JSON-RPC batches are not supported in MCP protocol version ${version} (removed in 2025-06-18); send one message per request`,
      },
    });
    expect(spin.calls).toBe(0);
  });

  it('a session that negotiated 2025-06-18 is refused a batch even without the header; one message still works', async () => {
    const { base } = await start();
    const session = await openSession(base, '2025-06-18');
    const res = await post(base, batchOf(2), { 'mcp-session-id': session });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'not supported in MCP protocol version 2025-06-18',
    );
    const single = await post(base, call(1, 'whoami'), { 'mcp-session-id': session });
    expect(await single.json()).toMatchObject({ id: 1, result: { content: [{ text: 'alice' }] } });
  });

  it('a legacy SSE session that negotiated 2025-11-25 is refused a batch on /messages', async () => {
    const { base } = await start();
    const sse = await openSse(base);
    const init = {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    };
    expect((await post(base, init, {}, sse.path)).status).toBe(202);
    expect((await sse.received(1))[0]).toMatchObject({ id: 0, result: { protocolVersion: '2025-11-25' } });
    const res = await post(base, batchOf(2), {}, sse.path);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'not supported in MCP protocol version 2025-11-25',
    );
  });
});

describe('older clients: batches up to MAX_BATCH_MESSAGES', () => {
  it('Streamable HTTP without the header (the spec says assume 2025-03-26): a full batch gets every answer', async () => {
    const { base } = await start();
    const res = await post(base, batchOf(CAP));
    expect(res.status).toBe(200);
    const answers = (await res.json()) as Array<{ id: number; result: { content: Array<{ text: string }> } }>;
    expect(answers.map((a) => a.id).sort((a, b) => a - b)).toEqual(batchOf(CAP).map((m) => m.id));
    expect(answers.every((a) => a.result.content[0]?.text === 'alice')).toBe(true);
  });

  it('a session that negotiated 2025-03-26 may batch, header or not', async () => {
    const { base } = await start();
    const session = await openSession(base, '2025-03-26');
    const withSession: Record<string, string>[] = [
      { 'mcp-session-id': session },
      { 'mcp-session-id': session, 'mcp-protocol-version': '2025-03-26' },
    ];
    for (const headers of withSession) {
      const res = await post(base, batchOf(3), headers);
      expect(res.status).toBe(200);
      expect(((await res.json()) as unknown[]).length).toBe(3);
    }
  });

  it('legacy SSE (2024-11-05): a full batch on /messages gets every answer on the stream', async () => {
    const { base } = await start();
    const sse = await openSse(base);
    expect((await post(base, batchOf(CAP), {}, sse.path)).status).toBe(202);
    const answers = await sse.received(CAP);
    expect(answers.map((a) => a.id).sort((a, b) => Number(a) - Number(b))).toEqual(batchOf(CAP).map((m) => m.id));
    expect(answers.every((a) => a.result?.content[0]?.text === 'alice')).toBe(true);
  });

  it.each(['/mcp', '/messages'])('%s: one message over the cap gets 413 with a clear reason, and none of it runs', async (route) => {
    const { base, spin } = await start();
    const path = route === '/mcp' ? '/mcp' : (await openSse(base)).path;
    const res = await post(base, batchOf(CAP + 1, 'spin'), {}, path);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32600,
        message: `Invalid Request: a batch of ${CAP + 1} messages is more than this server accepts (MAX_BATCH_MESSAGES=${CAP}); split it into smaller batches`,
      },
    });
    expect(spin.calls).toBe(0);
  });

  it('MAX_BATCH_MESSAGES is a setting', async () => {
    const s = await startKitApp({ maxBatchMessages: 2 });
    started.push(s);
    expect((await post(s.base, batchOf(2))).status).toBe(200);
    expect((await post(s.base, batchOf(3))).status).toBe(413);
  });
});

describe("one client's batch does not hold other clients' requests until it is done", () => {
  it('Streamable HTTP: a request sent while a full batch is running is answered before the batch', async () => {
    const { base, spinning } = await start();
    const order: string[] = [];
    const running = spinning();
    const batch = post(base, batchOf(CAP, 'spin'))
      .then((r) => r.json())
      .then((answers) => {
        order.push('batch');
        return answers as unknown[];
      });
    await running;
    const single = await post(base, call('x', 'whoami'), {}, '/mcp', 'token-bob');
    expect(await single.json()).toMatchObject({ id: 'x', result: { content: [{ text: 'bob' }] } });
    order.push('single');
    expect((await batch).length).toBe(CAP); // and the batch still gets every answer
    expect(order).toEqual(['single', 'batch']);
  });

  it('legacy SSE: a request sent while a full batch is running is answered before the batch finishes', async () => {
    const { base, spinning } = await start();
    const sse = await openSse(base);
    const running = spinning();
    expect((await post(base, batchOf(CAP, 'spin'), {}, sse.path)).status).toBe(202);
    await running;
    const single = await post(base, call('x', 'whoami'), {}, '/mcp', 'token-bob');
    expect(await single.json()).toMatchObject({ id: 'x', result: { content: [{ text: 'bob' }] } });
    const answeredBeforeSingle = sse.messages.length;
    expect(answeredBeforeSingle).toBeLessThan(CAP);
    expect((await sse.received(CAP)).every((a) => a.result?.content[0]?.text === 'spun')).toBe(true);
  });
});
