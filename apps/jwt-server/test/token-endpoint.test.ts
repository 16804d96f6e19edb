// POST /token in every request form the article and RFC 6749 use, and the right OAuth error for
// every malformed request.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, type Harness, startServer } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(async () => h.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(new URL('/token', h.base), { method: 'POST', headers, body: new URLSearchParams(fields) });
const json = (body: unknown) =>
  fetch(new URL('/token', h.base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('issuing', () => {
  it.each([
    ['the article JSON body', () => json({ client_id: h.clientId, client_secret: h.clientSecret })],
    ['JSON with grant_type', () => json({ grant_type: 'client_credentials', client_id: h.clientId, client_secret: h.clientSecret })],
    ['a form with HTTP Basic', () => form({ grant_type: 'client_credentials' }, { authorization: basic(h.clientId, h.clientSecret) })],
    [
      'a form with body credentials',
      () => form({ grant_type: 'client_credentials', client_id: h.clientId, client_secret: h.clientSecret }),
    ],
    [
      'a form with scope and resource',
      () =>
        form(
          { grant_type: 'client_credentials', scope: 'mcp', resource: h.resource },
          { authorization: basic(h.clientId, h.clientSecret) },
        ),
    ],
  ])('%s', async (_name, request) => {
    const res = await request();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'mcp' });
    const { header, payload } = decode(body.access_token as string);
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ iss: h.issuer, sub: h.clientId, aud: h.resource, scope: 'mcp', client_id: h.clientId });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    // exp is computed in UTC seconds from the same clock reading as iat (the demo used local time)
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('gives each token its own jti', async () => {
    const a = (await (await json({ client_id: h.clientId, client_secret: h.clientSecret })).json()) as { access_token: string };
    const b = (await (await json({ client_id: h.clientId, client_secret: h.clientSecret })).json()) as { access_token: string };
    expect(decode(a.access_token).payload.jti).not.toBe(decode(b.access_token).payload.jti);
  });
});

describe('errors (RFC 6749 §5.2)', () => {
  const cases: Array<[string, () => Promise<Response>, number, string]> = [
    [
      'a wrong secret',
      () => form({ grant_type: 'client_credentials' }, { authorization: basic('agent-1', 'mcps_wrong') }),
      401,
      'invalid_client',
    ],
    ['an unknown client', () => json({ client_id: 'nobody', client_secret: 'x' }), 401, 'invalid_client'],
    ['the article secret', () => json({ client_id: 'test_client', client_secret: 'secret_1234' }), 401, 'invalid_client'],
    ['no client authentication', () => form({ grant_type: 'client_credentials' }), 401, 'invalid_client'],
    [
      'Basic that is not base64 user:pass',
      () => form({ grant_type: 'client_credentials' }, { authorization: 'Basic Zm9v' }),
      401,
      'invalid_client',
    ],
    [
      'a Bearer instead of client auth',
      () => form({ grant_type: 'client_credentials' }, { authorization: 'Bearer abc' }),
      401,
      'invalid_client',
    ],
    [
      'two client authentication methods',
      () => form({ grant_type: 'client_credentials', client_secret: 'x' }, { authorization: basic('agent-1', 'y') }),
      400,
      'invalid_request',
    ],
    ['a form without grant_type', () => form({ client_id: 'agent-1', client_secret: 'x' }), 400, 'invalid_request'],
    ['grant_type=password', () => form({ grant_type: 'password', username: 'u', password: 'p' }), 400, 'unsupported_grant_type'],
    ['grant_type=authorization_code', () => json({ grant_type: 'authorization_code', code: 'x' }), 400, 'unsupported_grant_type'],
    [
      'a repeated parameter',
      () =>
        fetch(new URL('/token', h.base), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials&grant_type=client_credentials',
        }),
      400,
      'invalid_request',
    ],
    [
      'a scope the client may not have',
      () => form({ grant_type: 'client_credentials', scope: 'mcp admin' }, { authorization: basic(h.clientId, h.clientSecret) }),
      400,
      'invalid_scope',
    ],
    [
      'another resource',
      () =>
        form(
          { grant_type: 'client_credentials', resource: 'https://elsewhere.example/' },
          { authorization: basic(h.clientId, h.clientSecret) },
        ),
      400,
      'invalid_target',
    ],
    [
      'malformed JSON',
      () => fetch(new URL('/token', h.base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"client_id":' }),
      400,
      'invalid_request',
    ],
    ['a JSON array', () => json([1, 2]), 400, 'invalid_request'],
    ['a non-string client_id', () => json({ client_id: 42, client_secret: 'x' }), 400, 'invalid_request'],
    [
      'an unsupported content type',
      () => fetch(new URL('/token', h.base), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }),
      400,
      'invalid_request',
    ],
  ];
  it.each(cases)('%s', async (_name, request, status, error) => {
    const res = await request();
    expect(res.status).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ error, error_description: expect.any(String) });
    if (error === 'invalid_client') expect(res.headers.get('www-authenticate')).toBe('Basic realm="jwt-server", charset="UTF-8"');
  });

  it('logs failed client authentication without the secret', async () => {
    await form({ grant_type: 'client_credentials', client_id: 'agent-1', client_secret: 'mcps_guessed-secret-value' });
    expect(h.logs()).toContain('client authentication failed');
    expect(h.logs()).not.toContain('guessed-secret-value');
    expect(h.logs()).not.toContain(h.clientSecret);
  });

  it('two Authorization headers are invalid_request (RFC 6749 §3.2), not the first one used', async () => {
    // A raw request: fetch would fold the two lines into one (and Node keeps only the first).
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        new URL('/token', h.base),
        {
          method: 'POST',
          headers: [
            'host',
            h.base.host,
            'content-type',
            'application/x-www-form-urlencoded',
            'authorization',
            basic(h.clientId, h.clientSecret),
            'authorization',
            basic('someone-else', 'mcps_other'),
          ],
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end('grant_type=client_credentials');
    });
    expect(status).toBe(400);
  });

  it('GET /authorize explains that only client credentials are supported', async () => {
    const res = await fetch(new URL('/authorize?response_type=code', h.base));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_response_type' });
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After past the per-client limit, while other clients go on', async () => {
    const limited = await startServer({ TOKEN_RATE_LIMIT_PER_CLIENT: '3' });
    try {
      const request = (id: string, secret: string) =>
        fetch(new URL('/token', limited.base), {
          method: 'POST',
          headers: { authorization: basic(id, secret) },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(limited.clientId, limited.clientSecret)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const res = await request(limited.clientId, 'wrong');
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable' });
      // The same client id percent-encoded (RFC 6749 §2.3.1 form-encodes Basic credentials) is the
      // same client, so it is the same budget, not a fresh one.
      const encoded = [...limited.clientId].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
      expect((await request(encoded, limited.clientSecret)).status).toBe(429);
      expect((await request('someone-else', 'x')).status).toBe(401);
    } finally {
      await limited.close();
    }
  });

  it('answers 429 past the per-address limit', async () => {
    const limited = await startServer({ TOKEN_RATE_LIMIT_PER_IP: '2' });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (
            await fetch(new URL('/token', limited.base), {
              method: 'POST',
              body: new URLSearchParams({ grant_type: 'client_credentials', client_id: `c${i}`, client_secret: 'x' }),
            })
          ).status,
        );
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('metadata', () => {
  it('serves RFC 8414 and RFC 9728 documents that point at each other', async () => {
    const as = (await (await fetch(new URL('/.well-known/oauth-authorization-server', h.base))).json()) as Record<string, unknown>;
    expect(as).toMatchObject({
      issuer: h.issuer,
      token_endpoint: `${h.issuer}/token`,
      revocation_endpoint: `${h.issuer}/revoke`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const prm = (await (await fetch(new URL(path, h.base))).json()) as Record<string, unknown>;
      expect(prm).toMatchObject({ resource: h.resource, authorization_servers: [h.issuer], bearer_methods_supported: ['header'] });
    }
  });
});
