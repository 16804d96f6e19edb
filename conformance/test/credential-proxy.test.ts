// The credential proxy in front of a plain node:http upstream: it adds (or replaces) the one header,
// passes everything else as sent, streams responses as they come, and hangs up upstream when the
// client does.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type CredentialProxy, startCredentialProxy } from '../src/credential-proxy.js';

let upstream: Server | undefined;
let proxy: CredentialProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve(undefined)));
  upstream = proxy = undefined;
});

async function behindProxy(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  upstream = createServer(handler);
  await new Promise<void>((resolve) => upstream?.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  proxy = await startCredentialProxy({ target: `http://127.0.0.1:${port}`, header: ['authorization', 'Bearer the-token'] });
  return proxy.url;
}

describe('credential proxy', () => {
  it('adds the credential, replacing one the client sent, and forwards method, path, headers (Host and Origin as sent) and body', async () => {
    let seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string } | undefined;
    const url = await behindProxy(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      res.writeHead(202, { 'mcp-session-id': 'abc', 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const res = await fetch(`${url}/mcp?x=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer forged', origin: 'http://evil.example', 'mcp-protocol-version': '2025-11-25' },
      body: '{"jsonrpc":"2.0"}',
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('mcp-session-id')).toBe('abc');
    expect(await res.json()).toEqual({ ok: true });
    expect(seen).toMatchObject({
      method: 'POST',
      url: '/mcp?x=1',
      body: '{"jsonrpc":"2.0"}',
      headers: {
        authorization: 'Bearer the-token',
        origin: 'http://evil.example',
        host: new URL(url).host,
        'mcp-protocol-version': '2025-11-25',
      },
    });
  });

  it('streams an SSE response event by event, before the upstream has finished it', async () => {
    let finish: () => void = () => {};
    const url = await behindProxy((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message\ndata: first\n\n');
      finish = () => res.end('event: message\ndata: second\n\n');
    });
    const res = await fetch(`${url}/mcp`, { headers: { accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    // The upstream is still holding the stream open: the first event arrived on its own.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('event: message\ndata: first\n\n');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('event: message\ndata: second\n\n');
  });

  it('closes the upstream request when the client goes away', async () => {
    let upstreamClosed: Promise<unknown> = new Promise(() => {});
    const url = await behindProxy((req, res) => {
      upstreamClosed = once(req.socket, 'close');
      res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': open\n\n');
    });
    const aborter = new AbortController();
    const res = await fetch(`${url}/mcp`, { signal: aborter.signal });
    await (res.body as ReadableStream<Uint8Array>).getReader().read();
    aborter.abort();
    await upstreamClosed;
  }, 10_000);

  it('answers 502 when the upstream is not there', async () => {
    const url = await behindProxy((_req, res) => res.end());
    await new Promise((resolve) => upstream?.close(resolve));
    const res = await fetch(`${url}/mcp`);
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('credential proxy: connect ECONNREFUSED');
  });
});
