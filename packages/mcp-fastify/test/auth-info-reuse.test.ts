// The auth hook builds one AuthInfo per credential and reuses it: requests with the same token get
// the same frozen object, another token (or the same API key presented another way) gets its own,
// and `authInfo.token` is always what the request presented. Real verifiers, a real server on
// loopback, requests by fetch; the AuthInfo each request carried is read in an onResponse hook.
import {
  type ApiKeyStore,
  type ApiKeyTables,
  createApiKey,
  createApiKeyVerifier,
  createHs256TokenIssuer,
  createHs256Verifier,
  openApiKeyStore,
  type Verifier,
} from '@mcp-auth/auth';
import { databaseSettings, openStore } from '@mcp-auth/database';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import { HEADERS, startKitAppsClosedAfterEach } from './kit-harness.js';

const start = startKitAppsClosedAfterEach();
const stores: ApiKeyStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes!!';
const ISSUER = 'https://issuer.test';

/** A kit app with `verifier` that records the AuthInfo of every request it answered with 200. */
async function recordingApp(verifier: Verifier) {
  const seen: AuthInfo[] = [];
  const kit = await start({
    verifier,
    extend: (app) => {
      app.addHook('onResponse', async (request, reply) => {
        if (reply.statusCode === 200 && request.authInfo) seen.push(request.authInfo);
      });
    },
  });
  const list = async (headers: Record<string, string>) => {
    const res = await fetch(new URL('/mcp', kit.base), {
      method: 'POST',
      headers: { ...HEADERS, ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const body = await res.text();
    expect(res.status, body).toBe(200);
    const last = seen.at(-1);
    if (!last) throw new Error('no AuthInfo recorded');
    return last;
  };
  return { list, seen };
}

describe('AuthInfo reuse in the auth hook', () => {
  it('gives two requests of one token the same frozen AuthInfo, and another token its own', async () => {
    const issuer = createHs256TokenIssuer({ secret: SECRET, issuer: ISSUER, ttlSeconds: 300 });
    const issue = (subject: string) => issuer.issue({ subject, audience: 'kit-test', scope: 'mcp' }).token;
    const { list } = await recordingApp(createHs256Verifier({ secret: SECRET, issuer: ISSUER, audience: 'kit-test' }));
    const alice = issue('alice');
    const bob = issue('bob');

    const first = await list({ authorization: `Bearer ${alice}` });
    const second = await list({ authorization: `Bearer ${alice}` });
    expect(second).toBe(first);
    expect(first.token).toBe(alice);

    const other = await list({ authorization: `Bearer ${bob}` });
    expect(other).not.toBe(first);
    expect(other.token).toBe(bob);
    expect(other.clientId).toBe('bob');
    const aliceAgain = await list({ authorization: `Bearer ${issue('alice')}` });
    expect(aliceAgain).not.toBe(first);

    // ES modules are strict mode: writing to a frozen object throws rather than being ignored.
    expect(Object.isFrozen(first) && Object.isFrozen(first.scopes) && Object.isFrozen(first.extra)).toBe(true);
    expect(() => {
      (first as { token: string }).token = bob;
    }).toThrow(TypeError);
    expect(() => first.scopes.push('admin')).toThrow(TypeError);
    expect(() => {
      (first.extra as Record<string, unknown>).principal = undefined;
    }).toThrow(TypeError);
    expect((await list({ authorization: `Bearer ${alice}` })).token).toBe(alice);
  });

  it('carries the token this request presented when one API key is presented two ways', async () => {
    const store = await openApiKeyStore(openStore<ApiKeyTables>(databaseSettings({}, { service: 'test', sqlitePath: ':memory:' })));
    stores.push(store);
    const { key } = await createApiKey(store, { name: 'ci-bot' });
    const { list } = await recordingApp(createApiKeyVerifier({ store }));

    const viaHeader = await list({ 'x-api-key': key });
    expect(await list({ 'x-api-key': key })).toBe(viaHeader);
    expect(viaHeader.token).toBe(key);
    const viaBasic = await list({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` });
    expect(viaBasic.token).toBe('');
    expect(viaBasic.extra?.principal).toBe(viaHeader.extra?.principal);
    expect((await list({ 'x-api-key': key })).token).toBe(key);
  });
});
