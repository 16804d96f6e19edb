// The per-credential caches behind authentication: one frozen Principal per verified token or key
// record, the RS256 accepted-header cache, and access decided once per Principal. Each is checked
// for what it must never do: stand one token for another, outlive a revocation or a rotated-away
// key, or serve a header it did not check.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { databaseSettings, openStore } from '@mcp-auth/database';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACCEPTED_HEADER_CACHE_SIZE,
  type ApiKeyStore,
  AuthError,
  accessDecider,
  createApiKey,
  createApiKeyVerifier,
  createHs256TokenIssuer,
  createHs256Verifier,
  createJwksClient,
  createRs256TokenIssuer,
  createRs256Verifier,
  jwkThumbprint,
  openApiKeyStore,
  openRevocationList,
  type Principal,
  parsePolicy,
  publicJwk,
  type RevocationTables,
  revokeApiKey,
} from '../src/index.js';

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes!!';
const ISSUER = 'https://issuer.test';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function refusal(promise: unknown): Promise<AuthError> {
  try {
    await (typeof promise === 'function' ? (promise as () => unknown)() : promise);
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected an AuthError');
}

function rsaKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = jwkThumbprint(publicKey);
  return { kid, privateKey, publicKey, privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** A JWKS endpoint on loopback whose key list can be changed, as an issuer's changes on rotation. */
async function jwksServer(initial: ReturnType<typeof rsaKey>[]) {
  let keys = initial;
  const server: Server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: keys.map((k) => ({ ...publicJwk(k.publicKey), kid: k.kid })) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    publish(next: ReturnType<typeof rsaKey>[]) {
      keys = next;
    },
  };
}

describe('HS256 verifier: one frozen Principal per token', () => {
  const issuer = createHs256TokenIssuer({ secret: SECRET, issuer: ISSUER, ttlSeconds: 300 });
  const issue = (subject: string) => issuer.issue({ subject, audience: 'my-mcp-server', scope: 'mcp' });

  it('gives the same token the same frozen Principal, and another token another one', async () => {
    const verifier = createHs256Verifier({ secret: SECRET, issuer: ISSUER, audience: 'my-mcp-server' });
    const a = issue('alice').token;
    const first = await verifier.verify({ kind: 'bearer', token: a });
    const again = await verifier.verify({ kind: 'bearer', token: a });
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.scopes)).toBe(true);
    expect(() => {
      (first as { subject: string }).subject = 'mallory';
    }).toThrow(TypeError);
    expect(() => (first.scopes as string[]).push('admin')).toThrow(TypeError);

    const otherTokenSameSubject = await verifier.verify({ kind: 'bearer', token: issue('alice').token });
    expect(otherTokenSameSubject).not.toBe(first);
    expect((await verifier.verify({ kind: 'bearer', token: issue('bob').token })).subject).toBe('bob');
  });

  it('still refuses a token revoked after its Principal was cached', async () => {
    const database = openStore<RevocationTables>({ kind: 'sqlite', path: ':memory:' });
    const revocations = await openRevocationList(database);
    const verifier = createHs256Verifier({ secret: SECRET, issuer: ISSUER, audience: 'my-mcp-server', revocations });
    const issued = issue('alice');
    await verifier.verify({ kind: 'bearer', token: issued.token });
    await verifier.verify({ kind: 'bearer', token: issued.token });
    await revocations.revoke(issued.jti, issued.expiresAt);
    expect((await refusal(() => verifier.verify({ kind: 'bearer', token: issued.token }))).code).toBe('revoked_credentials');
    expect((await refusal(() => verifier.verify({ kind: 'bearer', token: issued.token }))).code).toBe('revoked_credentials');
    await database.close();
  });
});

describe('RS256 verifier caches', () => {
  const issueWith = (key: ReturnType<typeof rsaKey>, subject = 'alice', header?: { kid: string }) =>
    createRs256TokenIssuer({ keys: { current: () => ({ ...key, ...header }) }, issuer: ISSUER, ttlSeconds: 300 }).issue({
      subject,
      audience: 'my-mcp-server',
      scope: 'mcp',
      claims: { job_role: 'Manager' },
    });

  const pemVerifier = (key: ReturnType<typeof rsaKey>) =>
    createRs256Verifier({
      keys: { publicPem: key.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      issuer: ISSUER,
      audiences: ['my-mcp-server'],
    });

  it('gives the same token the same frozen Principal with frozen roles', async () => {
    const key = rsaKey();
    const verifier = pemVerifier(key);
    const { token } = await issueWith(key);
    const first = await verifier.verify({ kind: 'bearer', token });
    expect(await verifier.verify({ kind: 'bearer', token })).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
    expect(first.roles).toEqual(['Manager']);
    expect(await verifier.verify({ kind: 'bearer', token: (await issueWith(key)).token })).not.toBe(first);
  });

  it('refuses a token whose key was rotated away, though the token and its header were accepted before', async () => {
    const old = rsaKey();
    const next = rsaKey();
    const jwks = await jwksServer([old]);
    const client = createJwksClient({ url: jwks.url, cooldownMs: 0 });
    const verifier = createRs256Verifier({ keys: { jwks: client }, issuer: ISSUER, audiences: ['my-mcp-server'] });
    const { token } = await issueWith(old);
    await verifier.verify({ kind: 'bearer', token });
    await verifier.verify({ kind: 'bearer', token });
    expect(verifier.acceptedHeaderCount).toBe(1);

    jwks.publish([next]);
    await client.prime();
    const refused = await refusal(() => verifier.verify({ kind: 'bearer', token }));
    expect(refused.code).toBe('invalid_credentials');
    expect(refused.description).toMatch(/unknown key/);
    expect((await verifier.verify({ kind: 'bearer', token: (await issueWith(next)).token })).subject).toBe('alice');
  });

  it('checks every header text afresh: another alg or kid is not served from the header cache', async () => {
    const key = rsaKey();
    const jwks = await jwksServer([key]);
    const verifier = createRs256Verifier({
      keys: { jwks: createJwksClient({ url: jwks.url, cooldownMs: 0 }) },
      issuer: ISSUER,
      audiences: ['my-mcp-server'],
    });
    const { token } = await issueWith(key);
    await verifier.verify({ kind: 'bearer', token });
    const [, payload, signature] = token.split('.') as [string, string, string];
    const headerText = (header: object) => Buffer.from(JSON.stringify(header)).toString('base64url');

    const hs256 = `${headerText({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })}.${payload}.${signature}`;
    expect((await refusal(() => verifier.verify({ kind: 'bearer', token: hs256 }))).description).toBe('Token algorithm not accepted');
    const none = `${headerText({ alg: 'none', kid: key.kid })}.${payload}.`;
    expect((await refusal(() => verifier.verify({ kind: 'bearer', token: none }))).description).toBe('Token algorithm not accepted');
    const jku = `${headerText({ alg: 'RS256', typ: 'at+jwt', kid: key.kid, jku: 'https://evil.test/jwks' })}.${payload}.${signature}`;
    expect((await refusal(() => verifier.verify({ kind: 'bearer', token: jku }))).description).toMatch(/jku is not accepted/);
    const otherKid = (await issueWith(key, 'alice', { kid: 'not-published' })).token;
    expect((await refusal(() => verifier.verify({ kind: 'bearer', token: otherKid }))).description).toMatch(/unknown key/);
    // Refused headers are not remembered; only the one accepted header (and the unknown kid's, whose key lookup failed after) is.
    expect(verifier.acceptedHeaderCount).toBe(2);
    // The same header text again is checked again too when it failed: still refused.
    expect((await refusal(() => verifier.verify({ kind: 'bearer', token: hs256 }))).description).toBe('Token algorithm not accepted');
  });

  it('keeps at most ACCEPTED_HEADER_CACHE_SIZE headers', async () => {
    const key = rsaKey();
    const verifier = pemVerifier(key);
    const { token } = await issueWith(key);
    const [, payload, signature] = token.split('.') as [string, string, string];
    // Distinct accepted header texts (a kid per token): each is checked and remembered until the cap.
    let most = 0;
    for (let i = 0; i < ACCEPTED_HEADER_CACHE_SIZE + 5; i++) {
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: `k${i}` })).toString('base64url');
      // The signature no longer matches the header, so fast-jwt refuses it after the header check passed.
      await refusal(() => verifier.verify({ kind: 'bearer', token: `${header}.${payload}.${signature}` }));
      most = Math.max(most, verifier.acceptedHeaderCount);
    }
    expect(ACCEPTED_HEADER_CACHE_SIZE).toBe(100);
    expect(most).toBe(ACCEPTED_HEADER_CACHE_SIZE);
    expect(verifier.acceptedHeaderCount).toBeLessThan(ACCEPTED_HEADER_CACHE_SIZE);
    expect((await verifier.verify({ kind: 'bearer', token })).subject).toBe('alice');
  });
});

describe('API key verifier: one frozen Principal per key record', () => {
  const stores: ApiKeyStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('reuses the Principal for the same key, not across keys, and refuses a revoked key', async () => {
    const store = await openApiKeyStore(openStore(databaseSettings({}, { service: 'test', sqlitePath: ':memory:' })));
    stores.push(store);
    const verifier = createApiKeyVerifier({ store });
    const a = await createApiKey(store, { name: 'a' });
    const b = await createApiKey(store, { name: 'b' });
    const first = await verifier.verify({ kind: 'api-key-header', key: a.key });
    expect(await verifier.verify({ kind: 'bearer', token: a.key })).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.scopes)).toBe(true);
    const other = await verifier.verify({ kind: 'api-key-header', key: b.key });
    expect(other).not.toBe(first);
    expect(other.displayName).toBe('b');

    await revokeApiKey(store, a.record.id);
    expect((await refusal(async () => verifier.verify({ kind: 'api-key-header', key: a.key }))).code).toBe('revoked_credentials');
  });
});

describe('accessDecider', () => {
  const policy = parsePolicy(
    {
      version: 1,
      servers: { hr: { url: 'http://127.0.0.1:1', scopes: { 'hr:read': { description: 'read', tools: ['list'] } } } },
      roles: {
        Reader: { access: { hr: { tools: ['list'], fields: ['personal'], rows: 'self' } } },
        Elsewhere: { access: {} },
      },
    },
    'test policy',
  );
  const principal = (roles: string[]): Principal =>
    Object.freeze({
      id: `x#${roles.join()}`,
      method: 'jwt',
      subject: 'x',
      clientId: 'x',
      scopes: Object.freeze([]),
      roles: Object.freeze(roles),
      role: roles[0],
    });

  it('decides once per Principal, with a frozen result that cannot be widened', () => {
    const decide = accessDecider(policy, 'hr');
    const reader = principal(['Reader']);
    const access = decide(reader);
    expect(decide(reader)).toBe(access);
    expect(decide(principal(['Reader']))).not.toBe(access);
    expect(Object.isFrozen(access) && Object.isFrozen(access.roles)).toBe(true);
    expect(() => (access.tools as Set<string>).add('delete_everything')).toThrow(TypeError);
    expect(() => (access.fields as Set<string>).clear()).toThrow(TypeError);
    expect(access.tools?.has('delete_everything')).toBe(false);
    expect([...(access.tools ?? [])]).toEqual(['list']);
  });

  it('throws a fresh refusal every time for a refused Principal', () => {
    const decide = accessDecider(policy, 'hr');
    const elsewhere = principal(['Elsewhere']);
    const first = refusalSync(() => decide(elsewhere));
    const second = refusalSync(() => decide(elsewhere));
    expect(second).not.toBe(first);
    expect([first.code, second.code]).toEqual(['insufficient_scope', 'insufficient_scope']);
    expect(second.description).toBe('Role Elsewhere may not use hr');
  });

  it('does not remember decisions for a Principal that could still change', () => {
    const decide = accessDecider(policy, 'hr');
    const mutable: { roles: string[] } & Principal = {
      id: 'm',
      method: 'jwt',
      subject: 'm',
      clientId: 'm',
      scopes: [],
      roles: ['Elsewhere'],
    };
    expect(() => decide(mutable)).toThrow(AuthError);
    mutable.roles = ['Reader'];
    expect(decide(mutable).role).toBe('Reader');
  });
});

function refusalSync(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('expected an AuthError');
}
