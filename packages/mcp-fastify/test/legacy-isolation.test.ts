// The legacy era's servers are shared by every caller with the same visible tools. Nothing one client
// says in its session (initialize, logging/setLevel) may change what another client sees.
import { defineTool } from '@mcp-auth/tools';
import { describe, expect, it } from 'vitest';
import { HEADERS, startKitAppsClosedAfterEach } from './kit-harness.js';

const start = startKitAppsClosedAfterEach();

const chatty = defineTool({
  name: 'chatty',
  description: 'Logs one message at each of info and error, then answers',
  inputSchema: {},
  annotations: { readOnlyHint: true },
  handler: async (_args, { log }) => {
    await log('info', 'an info line');
    await log('error', 'an error line');
    return { content: [{ type: 'text', text: 'done' }] };
  },
});

/** Frames of an SSE or JSON reply, as JSON-RPC messages. */
async function messagesOf(res: Response): Promise<Array<{ method?: string; params?: { level?: string }; result?: unknown }>> {
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) return [JSON.parse(text)];
  return text
    .split('\n\n')
    .map((frame) =>
      frame
        .split('\n')
        .find((l) => l.startsWith('data: '))
        ?.slice(6),
    )
    .filter((data): data is string => data !== undefined)
    .map((data) => JSON.parse(data));
}

async function openSession(base: URL, token: string, protocolVersion: string, clientName: string) {
  const res = await fetch(new URL('/mcp', base), {
    method: 'POST',
    headers: { ...HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion, capabilities: { sampling: {} }, clientInfo: { name: clientName, version: '1' } },
    }),
  });
  expect(res.status).toBe(200);
  const [answer] = await messagesOf(res);
  const sessionId = res.headers.get('mcp-session-id') ?? '';
  const post = (body: unknown) =>
    fetch(new URL('/mcp', base), {
      method: 'POST',
      headers: { ...HEADERS, authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': protocolVersion },
      body: JSON.stringify(body),
    });
  return { answer: answer as { result: { protocolVersion: string; capabilities: unknown } }, post };
}

describe('legacy sessions on a shared server', () => {
  it("each session's logging/setLevel filters only its own log messages", async () => {
    const s = await start({}, [chatty]);
    // Same principal, same visible tools: both sessions are served by one shared server.
    const quiet = await openSession(s.base, 'token-alice', '2025-11-25', 'quiet');
    const loud = await openSession(s.base, 'token-alice', '2025-11-25', 'loud');
    const answer = async (res: Promise<Response>) => (await (await res).json()) as { result?: unknown };
    expect((await answer(quiet.post({ jsonrpc: '2.0', id: 2, method: 'logging/setLevel', params: { level: 'error' } }))).result).toEqual(
      {},
    );
    // The later setLevel must not lower the first session's level.
    expect((await answer(loud.post({ jsonrpc: '2.0', id: 2, method: 'logging/setLevel', params: { level: 'debug' } }))).result).toEqual({});

    const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'chatty', arguments: {} } };
    const levels = async (session: typeof quiet) =>
      (await messagesOf(await session.post(call))).filter((m) => m.method === 'notifications/message').map((m) => m.params?.level);
    expect(await levels(quiet)).toEqual(['error']);
    expect(await levels(loud)).toEqual(['info', 'error']);
  });

  it('a bad logging level is refused with invalid params, and the session keeps its level', async () => {
    const s = await start({}, [chatty]);
    const session = await openSession(s.base, 'token-alice', '2025-11-25', 'c');
    await session.post({ jsonrpc: '2.0', id: 2, method: 'logging/setLevel', params: { level: 'error' } });
    const bad = (await (await session.post({ jsonrpc: '2.0', id: 3, method: 'logging/setLevel', params: { level: 'loud' } })).json()) as {
      error?: { code: number };
    };
    expect(bad.error).toMatchObject({ code: -32602 });
    const msgs = await messagesOf(
      await session.post({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'chatty', arguments: {} } }),
    );
    expect(msgs.filter((m) => m.method === 'notifications/message').map((m) => m.params?.level)).toEqual(['error']);
  });

  it("each client's initialize is answered with its own version, and its session keeps speaking it", async () => {
    const s = await start({}, [chatty]);
    const old = await openSession(s.base, 'token-alice', '2024-11-05', 'old-client');
    const current = await openSession(s.base, 'token-alice', '2025-11-25', 'current-client');
    const future = await openSession(s.base, 'token-alice', '2099-01-01', 'future-client');
    expect(old.answer.result.protocolVersion).toBe('2024-11-05');
    expect(current.answer.result.protocolVersion).toBe('2025-11-25');
    // An unknown version is answered with the latest the server speaks (basic/lifecycle).
    expect(future.answer.result.protocolVersion).toBe('2025-11-25');
    expect(old.answer.result.capabilities).toEqual(current.answer.result.capabilities);
    // The old session still speaks 2024-11-05 (batches allowed), the current one does not.
    const batch = [{ jsonrpc: '2.0', id: 5, method: 'tools/list' }];
    expect((await old.post(batch)).status).toBe(200);
    expect((await current.post(batch)).status).toBe(400);
  });
});
