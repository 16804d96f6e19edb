// pnpm bench in both protocol eras: the 2026-07-28 request it sends must be a real tools/call to the
// SDK v2 server (the peer it is compared with), a 2025-era answer must never pass for a 2026-07-28 one,
// and the ratios and the "not served" row must come out of the rounds as stated.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ERA_PEERS, eraRow, eraTableRows, pairedRatios, spread } from '../src/bench/eras.js';
import { answersToolCall, type LoadResult, load, MCP_HEADERS, modernToolCall, toolCall, toolCallProblem } from '../src/load.js';

/** The SDK v2 server of ../shared/peer-bench's sdk-v2 peer (a fresh McpServer per request, both eras), without the network. */
function sdkV2Handler() {
  return createMcpHandler(() => {
    const server = new McpServer({ name: 'peer', version: '1' });
    server.registerTool('get_time', { description: 'time', inputSchema: z.object({ timezone: z.string() }) }, async ({ timezone }) => ({
      content: [{ type: 'text', text: new Date().toLocaleString('en-US', { timeZone: timezone }) }],
    }));
    return server;
  });
}

async function answer(handler: ReturnType<typeof sdkV2Handler>, headers: Record<string, string>, body: string) {
  const response = await handler.fetch(new Request('http://127.0.0.1/mcp', { method: 'POST', headers, body }));
  return { status: response.status, text: await response.text() };
}

describe('the request shapes against the SDK v2 server', () => {
  const args = { timezone: 'Asia/Dubai' };

  it('the 2026-07-28 shape gets a 2026-07-28 tools/call result, which the check and the per-response marker accept', async () => {
    const { headers, body } = modernToolCall('get_time', args);
    const { status, text } = await answer(sdkV2Handler(), headers, body);
    expect(toolCallProblem('modern', status, text)).toBeUndefined();
    expect(answersToolCall('modern')(text)).toBe(true);
  });

  it('the 2025-era shape gets a 2025-era result, which passes as legacy and is refused as 2026-07-28', async () => {
    const { status, text } = await answer(sdkV2Handler(), MCP_HEADERS, toolCall('get_time', args));
    expect(toolCallProblem('legacy', status, text)).toBeUndefined();
    expect(answersToolCall('legacy')(text)).toBe(true);
    expect(toolCallProblem('modern', status, text)).toMatch(/resultType/);
    expect(answersToolCall('modern')(text)).toBe(false);
  });

  it('a modern request whose Mcp-Name disagrees with the body is refused, and the check says so', async () => {
    const { headers, body } = modernToolCall('get_time', args);
    const { status, text } = await answer(sdkV2Handler(), { ...headers, 'mcp-name': 'other_tool' }, body);
    expect(toolCallProblem('modern', status, text)).toMatch(/^HTTP 400/);
  });
});

/** The SDK v2 handler on a loopback port, through a minimal node:http bridge to its fetch face. */
async function listenSdkV2() {
  const handler = sdkV2Handler();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    const answer = await handler.fetch(
      new Request(`http://127.0.0.1${req.url}`, { method: req.method ?? 'POST', headers, body: Buffer.concat(chunks) }),
    );
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, close: () => server.close() };
}

describe('a modern run under load', () => {
  it('measures the SDK v2 server with every response checked, and refuses to measure a legacy answer as modern', async () => {
    const peer = await listenSdkV2();
    try {
      const { headers, body } = modernToolCall('get_time', { timezone: 'Asia/Dubai' });
      const r = await load(peer.url, headers, body, { connections: 2, seconds: 1, era: 'modern' });
      expect(r.non2xx + r.errors).toBe(0);
      expect(r.mismatches).toBe(0);
      expect(r.rps).toBeGreaterThan(0);
      await expect(
        load(peer.url, MCP_HEADERS, toolCall('get_time', { timezone: 'Asia/Dubai' }), { connections: 1, seconds: 1, era: 'modern' }),
      ).rejects.toThrow(/probe of .* failed: .*resultType/);
    } finally {
      peer.close();
    }
  }, 20_000);
});

describe('what counts as a tools/call answer', () => {
  const result = (extra: Record<string, unknown>) => JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [], ...extra } });

  it('refuses errors of every kind, in JSON and in SSE', () => {
    const unsupported = '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Unsupported MCP-Protocol-Version: 2026-07-28"},"id":null}';
    expect(toolCallProblem('modern', 400, unsupported)).toMatch(/^HTTP 400: .*Unsupported/);
    expect(toolCallProblem('legacy', 200, '{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"bad"}}')).toBe(
      'JSON-RPC error -32602: bad',
    );
    expect(toolCallProblem('legacy', 200, result({ isError: true }))).toMatch(/tool answered an error/);
    expect(answersToolCall('legacy')(result({ isError: true }))).toBe(false);
    expect(toolCallProblem('legacy', 200, '{"jsonrpc":"2.0","id":1,"result":{}}')).toMatch(/no tools\/call result/);
    expect(
      toolCallProblem('legacy', 200, `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 7, result: { content: [] } })}\n\n`),
    ).toMatch(/no JSON-RPC response/);
  });

  it('accepts a result in an SSE stream after a notification', () => {
    const stream = `event: message\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\nevent: message\ndata: ${result({ resultType: 'complete' })}\n\n`;
    expect(toolCallProblem('modern', 200, stream)).toBeUndefined();
  });
});

const run = (rps: number, cpuMicrosPerCall?: number): LoadResult => ({
  rps,
  p50: 1,
  p99: 2,
  non2xx: 0,
  errors: 0,
  ...(cpuMicrosPerCall ? { cpuMicrosPerCall } : {}),
});

describe('era rows', () => {
  it('pairs round i with round i, and reports the median, the lowest and the highest round', () => {
    expect(pairedRatios([90, 100, 120], [100, 100, 100])).toEqual({ median: 1, min: 0.9, max: 1.2 });
    // Paired rounds, not medians of each side: the medians here are equal, the rounds are not.
    expect(pairedRatios([100, 200], [200, 100])).toEqual({ median: 1.25, min: 0.5, max: 2 });
    expect(spread([3, 1, 2, 10])).toEqual({ median: 2.5, min: 1, max: 10 });
    expect(() => pairedRatios([1, 2], [1])).toThrow(/unpaired/);
  });

  it('sets each era against the SDK v2 peer of that era, with the twin ratios from the same rounds', () => {
    const peers = { [ERA_PEERS.modern]: run(400), [ERA_PEERS.legacy]: run(500) };
    const runs = { on: [run(1900, 330), run(2000, 300)], off: [run(2000, 300), run(2000, 300)] };
    const modern = eraRow('apikey', 'modern', 'stateless', { served: true, runs }, peers);
    expect(modern.vsPeer).toEqual({ peer: 'sdk-v2-stateless', rps: { median: 4.875, min: 4.75, max: 5 } });
    expect(modern.vsTwin?.rps).toEqual({ median: 0.975, min: 0.95, max: 1 });
    expect(modern.vsTwin?.cpuPerCall?.max).toBeCloseTo(1.1);
    const legacy = eraRow('apikey', 'legacy', 'session', { served: true, runs }, peers);
    expect(legacy.vsPeer.peer).toBe('sdk-v2-legacy');
    expect(legacy.vsPeer.rps?.median).toBeCloseTo(3.9);
    expect(eraTableRows([modern])[0]).toEqual([
      'apikey',
      'modern (2026-07-28), stateless',
      '0.97x (0.95-1.00)',
      '1.05x (1.00-1.10)',
      '4.88x (4.75-5.00) vs sdk-v2-stateless',
    ]);
  });

  it('says plainly when this build does not serve an era, and never turns a failed peer into a ratio', () => {
    const reason = 'apikey-server: HTTP 400: Unsupported MCP-Protocol-Version | 2026-07-28';
    const row = eraRow('apikey', 'modern', 'stateless', { served: false, reason }, { [ERA_PEERS.modern]: run(400) });
    expect(row).toMatchObject({ served: false, reason });
    expect(row.vsTwin).toBeUndefined();
    expect(row.vsPeer.rps).toBeUndefined();
    expect(eraTableRows([row])[0]?.[2]).toBe(
      'modern era: not served by this build (apikey-server: HTTP 400: Unsupported MCP-Protocol-Version \\| 2026-07-28)',
    );

    const runs = { on: [run(1000)], off: [run(1000)] };
    const failedPeer = { [ERA_PEERS.legacy]: { ...run(900), non2xx: 3 } };
    const legacy = eraRow('jwt', 'legacy', 'stateless', { served: true, runs }, failedPeer);
    expect(legacy.vsPeer).toEqual({ peer: 'sdk-v2-legacy', missing: 'sdk-v2-legacy answered 3 non-2xx and 0 errors' });
    expect(legacy.vsTwin?.cpuPerCall).toBeUndefined();
    expect(eraTableRows([legacy])[0]?.slice(3)).toEqual(['n/a', 'n/a (sdk-v2-legacy answered 3 non-2xx and 0 errors)']);
    expect(eraRow('jwt', 'legacy', 'stateless', { served: true, runs }, {}).vsPeer.missing).toBe('sdk-v2-legacy not measured');
    expect(eraRow('jwt', 'legacy', 'stateless', { served: true, runs }, undefined).vsPeer.missing).toBe('peers not run');
  });
});
