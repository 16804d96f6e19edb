// Tokens from /token call tools with every kind of client (SDK v2, SDK v1 as clients in the field run
// it, legacy SSE); every forged, stale or misdirected token gets 401 with an RFC 6750 challenge that
// names the protected resource metadata.
import { CLIENT_KINDS, connectClient } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forge, type Harness, JSON_HEADERS, rpc, startServer, tokenFor } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(async () => h.close());

const now = () => Math.floor(Date.now() / 1000);
const validClaims = () => ({
  iss: h.issuer,
  sub: h.clientId,
  aud: h.resource,
  iat: now(),
  exp: now() + 600,
  jti: crypto.randomUUID(),
  scope: 'mcp',
});
const call = (headers: Record<string, string>, path = '/mcp') =>
  fetch(new URL(path, h.base), {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: rpc('tools/call', { name: 'get_time', arguments: {} }),
  });
const metadataUrl = () => `${h.issuer}/.well-known/oauth-protected-resource`;

describe.each(CLIENT_KINDS)('tools with the %s client and a token from /token', (kind) => {
  it('lists and calls tools; the principal is the client', async () => {
    const token = await tokenFor(h);
    const client = await connectClient(kind, h.base, { headers: { Authorization: `Bearer ${token}` } });
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['get_time', 'get_weather']);
      const result = await client.callTool({ name: 'get_time', arguments: { timezone: 'Asia/Dubai' } });
      expect(result.structuredContent).toMatchObject({ utcOffset: '+04:00' });
    } finally {
      await client.close();
    }
    const audit = h
      .logs()
      .split('\n')
      .filter((l) => l.includes('"event":"tool_call"'));
    expect(audit.at(-1)).toContain(`"principal":"${h.issuer}#${h.clientId}"`);
  });
});

describe('401 for bad tokens, with resource_metadata in the challenge', () => {
  it('no token: bare challenge with realm and resource_metadata', async () => {
    const res = await call({});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="jwt-server", resource_metadata="${metadataUrl()}"`);
  });

  const bad: Array<[string, () => string | Promise<string>, string]> = [
    ['an expired token', () => forge({ ...validClaims(), iat: now() - 7200, exp: now() - 3600 }), 'Token expired'],
    [
      'a token signed with another secret',
      () => forge(validClaims(), { secret: 'another-secret-another-secret-another-1234' }),
      'Invalid token signature',
    ],
    [
      'alg: none',
      () => {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${enc({ alg: 'none', typ: 'at+jwt' })}.${enc(validClaims())}.`;
      },
      'Invalid token',
    ],
    [
      'alg: NoNe with a signature',
      () => {
        const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${enc({ alg: 'NoNe', typ: 'at+jwt' })}.${enc(validClaims())}.c2ln`;
      },
      'Token algorithm not accepted',
    ],
    [
      'a token whose payload was edited',
      async () => {
        const [header, , signature] = (await tokenFor(h)).split('.');
        const payload = Buffer.from(JSON.stringify({ ...validClaims(), sub: 'admin' })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
      'Invalid token signature',
    ],
    ['a wrong aud', () => forge({ ...validClaims(), aud: 'https://other-server.example/' }), 'Token audience not accepted'],
    ['a wrong iss', () => forge({ ...validClaims(), iss: 'https://dev-issuer.com' }), 'Token issuer not accepted'],
    ['a future nbf', () => forge({ ...validClaims(), nbf: now() + 3600 }), 'Token not yet valid (nbf)'],
    ['no exp', () => forge({ ...validClaims(), exp: undefined }), 'Token has no exp claim'],
    ['no aud (correctly signed)', () => forge({ ...validClaims(), aud: undefined }), 'Token has no aud claim'],
    ['no iss (correctly signed)', () => forge({ ...validClaims(), iss: undefined }), 'Token has no iss claim'],
    [
      'typ JWT instead of at+jwt (another kind of token)',
      () => forge(validClaims(), { header: { typ: 'JWT' } }),
      'Token type not accepted (expected at+jwt)',
    ],
    ['garbage', () => 'not.a.jwt', 'Invalid token'],
  ];
  it.each(bad)('%s', async (_name, make, description) => {
    const res = await call({ Authorization: `Bearer ${await make()}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="jwt-server", error="invalid_token", error_description="${description}", resource_metadata="${metadataUrl()}"`,
    );
  });

  it('a token only in the query string is ignored', async () => {
    const token = await tokenFor(h);
    const res = await call({}, `/mcp?access_token=${token}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).not.toContain('error=');
  });

  it('an API key header is not a token', async () => {
    const res = await call({ 'X-API-Key': await tokenFor(h) });
    expect(res.status).toBe(401);
  });

  it('a valid token without the mcp scope gets 403 insufficient_scope', async () => {
    const res = await call({ Authorization: `Bearer ${forge({ ...validClaims(), scope: 'other' })}` });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(res.headers.get('www-authenticate')).toContain('scope="mcp"');
  });
});

describe('revocation (RFC 7009)', () => {
  const revoke = (token: string, id = h.clientId, secret = h.clientSecret) =>
    fetch(new URL('/revoke', h.base), {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });

  it('a revoked token is refused from the next request on; other tokens keep working', async () => {
    const token = await tokenFor(h);
    const other = await tokenFor(h);
    expect((await call({ Authorization: `Bearer ${token}` })).status).toBe(200);
    const res = await revoke(token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const after = await call({ Authorization: `Bearer ${token}` });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error_description="Token revoked"');
    expect((await call({ Authorization: `Bearer ${other}` })).status).toBe(200);
  });

  it("needs client authentication, and cannot revoke another client's token", async () => {
    const token = await tokenFor(h);
    expect((await revoke(token, h.clientId, 'wrong')).status).toBe(401);
    const { createClient } = await import('@mcp-auth/auth');
    const intruder = await createClient(h.clients, { clientId: 'intruder', scopes: ['mcp'] });
    expect((await revoke(token, 'intruder', intruder.secret)).status).toBe(200); // RFC 7009: no information
    expect((await call({ Authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('revoking a client ends every token it holds, not only its token requests', async () => {
    const { createClient, revokeClient } = await import('@mcp-auth/auth');
    const leaver = await createClient(h.clients, { clientId: 'leaver', scopes: ['mcp'] });
    const token = await tokenFor({ ...h, clientId: 'leaver', clientSecret: leaver.secret });
    expect((await call({ Authorization: `Bearer ${token}` })).status).toBe(200);
    await revokeClient(h.clients, 'leaver');
    const after = await call({ Authorization: `Bearer ${token}` });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error_description="Token revoked"');
    expect((await call({ Authorization: `Bearer ${await tokenFor(h)}` })).status).toBe(200); // other clients unaffected
  });

  it('answers 200 for garbage tokens and 400 without a token', async () => {
    expect((await revoke('garbage')).status).toBe(200);
    const res = await fetch(new URL('/revoke', h.base), {
      method: 'POST',
      body: new URLSearchParams({ client_id: h.clientId, client_secret: h.clientSecret }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });
});
