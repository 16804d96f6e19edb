// Every way a request can fail authentication gets 401 with an RFC 6750 challenge (never 500), and no
// key material reaches the logs.
import { request } from 'node:http';
import { createApiKey, revokeApiKey } from '@mcp-auth/auth';
import { CLIENT_KINDS, type HttpExchange } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Harness, INITIALIZE_PARAMS, JSON_HEADERS, rpc, startServer } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(async () => h.close());

async function post(path: string, headers: Record<string, string>, body = rpc('tools/list')) {
  return fetch(new URL(path, h.base), { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body });
}

describe('401 with WWW-Authenticate', () => {
  it('no credentials: challenge without an error code (RFC 6750 §3.1)', async () => {
    const res = await post('/mcp', {});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="apikey-server"');
  });

  it('a key sent only in the query string is ignored', async () => {
    const res = await post(`/mcp?api_key=${encodeURIComponent(h.key)}&x-api-key=${encodeURIComponent(h.key)}`, {});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="apikey-server"');
  });

  const badCredentials: Record<string, (key: string) => Record<string, string>> = {
    'a wrong secret': (key) => ({ 'X-API-Key': `${key.slice(0, -4)}AAAA` }),
    'an unknown key id': (key) => ({ 'X-API-Key': key.replace(/^mcpk_[0-9a-z]{4}/, 'mcpk_zzzz') }),
    'the article key "secretkey"': () => ({ 'X-API-Key': 'secretkey' }),
    'Basic user1:pass1 from the article': () => ({ Authorization: `Basic ${Buffer.from('user1:pass1').toString('base64')}` }),
    'malformed Basic (not base64)': () => ({ Authorization: 'Basic %%%not-base64' }),
    'Basic without a colon': () => ({ Authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` }),
    'an unsupported scheme': (key) => ({ Authorization: `Digest ${key}` }),
    'an empty Bearer': () => ({ Authorization: 'Bearer ' }),
  };
  it.each(Object.keys(badCredentials))('%s', async (name) => {
    const res = await post('/mcp', (badCredentials[name] as (key: string) => Record<string, string>)(h.key));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="apikey-server", error="invalid_token", error_description="[^"]+"$/);
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('a revoked key: "API key revoked"', async () => {
    const { key, record } = await createApiKey(h.store, { name: 'to-revoke' });
    expect((await post('/mcp', { 'X-API-Key': key })).status).toBe(200);
    await revokeApiKey(h.store, record.id);
    const res = await post('/mcp', { 'X-API-Key': key });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error_description="API key revoked"');
  });

  it('an expired key: "API key expired"', async () => {
    const { key } = await createApiKey(h.store, { name: 'short-lived', ttlMs: 1, now: new Date(Date.now() - 1000) });
    const res = await post('/mcp', { 'X-API-Key': key });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error_description="API key expired"');
  });

  it('two different credentials in one request are refused as ambiguous (400 invalid_request)', async () => {
    const other = (await createApiKey(h.store, { name: 'other' })).key;
    const res = await post('/mcp', { 'X-API-Key': h.key, Authorization: `Bearer ${other}` });
    expect(res.status).toBe(400);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_request"');
  });

  it('two Authorization or two X-API-Key headers are refused as ambiguous (400), even when equal', async () => {
    // fetch folds repeated headers; a raw request sends the lines as written (Host included: with raw
    // headers Node adds none).
    const send = (headers: string[]) =>
      new Promise<{ status: number; challenge: string | undefined }>((resolve, reject) => {
        const req = request(
          new URL('/mcp', h.base),
          {
            method: 'POST',
            headers: ['host', h.base.host, 'content-type', 'application/json', 'accept', 'application/json, text/event-stream', ...headers],
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'] }));
          },
        );
        req.on('error', reject);
        req.end(rpc('tools/list'));
      });
    const other = (await createApiKey(h.store, { name: 'second' })).key;
    for (const headers of [
      ['Authorization', `Bearer ${h.key}`, 'Authorization', `Bearer ${other}`],
      ['Authorization', `Bearer ${h.key}`, 'authorization', `Bearer ${h.key}`],
      ['X-API-Key', h.key, 'X-API-Key', other],
    ]) {
      const res = await send(headers);
      expect(res.status, headers.join(' ')).toBe(400);
      expect(res.challenge).toContain('error="invalid_request"');
    }
    expect((await send(['Authorization', `Bearer ${h.key}`])).status).toBe(200);
  });

  it('every MCP route authenticates: GET /sse, POST /messages, GET and DELETE /mcp', async () => {
    for (const [method, path] of [
      ['GET', '/sse'],
      ['POST', '/messages?sessionId=00000000-0000-0000-0000-000000000000'],
      ['GET', '/mcp'],
      ['DELETE', '/mcp'],
    ] as const) {
      const res = await fetch(new URL(path, h.base), {
        method,
        headers: JSON_HEADERS,
        ...(method === 'POST' ? { body: rpc('ping') } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer realm=');
    }
  });

  it.each(CLIENT_KINDS)('the %s client is refused with 401 for a wrong key', async (kind) => {
    const exchanges: HttpExchange[] = [];
    await expect(connect(h.base, kind, { 'X-API-Key': 'nope' }, { exchanges })).rejects.toThrow();
    expect(exchanges.at(-1)).toMatchObject({ status: 401, wwwAuthenticate: expect.stringContaining('Bearer realm=') });
  });
});

describe('logs', () => {
  it('never contain key material, even from headers, query strings or failed attempts', async () => {
    const secret = h.key.slice('mcpk_0123456789abcdef_'.length);
    await post(`/mcp?api_key=${h.key}`, { Authorization: `Bearer ${h.key}` }, 'garbage');
    await post('/mcp', { 'X-API-Key': `${h.key.slice(0, -4)}AAAA` });
    const client = await connect(h.base, 'sse', { 'X-API-Key': h.key });
    await client.callTool({ name: 'get_time', arguments: {} });
    await client.close();
    await fetch(new URL('/mcp', h.base), {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'X-API-Key': h.key },
      body: rpc('initialize', INITIALIZE_PARAMS),
    });
    const logs = h.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain('authentication failed');
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(secret.slice(0, 12));
    expect(logs.toLowerCase()).not.toContain('authorization":"');
  });
});

describe('failed-authentication limit per address', () => {
  it('answers 429 with Retry-After once an address has failed too often, to a key that has not verified yet', async () => {
    const limited = await startServer({ AUTH_FAILURES_PER_MINUTE: '3' });
    try {
      const post = (headers: Record<string, string>) =>
        fetch(new URL('/mcp', limited.base), { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: rpc('tools/list') });
      expect((await post({})).status).toBe(401); // no credentials: not an attempt, not counted
      for (let i = 0; i < 3; i++) expect((await post({ 'X-API-Key': 'mcpk_0000000000000000_wrong' })).status).toBe(401);
      const blocked = await post({ 'X-API-Key': limited.key });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await blocked.json()).toMatchObject({ error: 'too_many_requests' });
      expect(limited.logs()).toContain('too many failed authentications from this address');
    } finally {
      await limited.close();
    }
  });
});
