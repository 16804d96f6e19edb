// Client authentication with its record cache, on both dialects: what another process writes is seen
// within the recheck interval, a rotated-out secret ends at its expiry even when remembered, a
// remembered secret never lets another one through, and two creations of one id make one client.
import { type DatabaseSettings, openStore } from '@mcp-auth/database';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// By path, as packages/database's own tests do (a package dependency would be a cycle).
import { postgresTarget, sqliteTarget } from '../../database/test/targets.js';
import {
  ClientAdminError,
  type ClientTables,
  createClient,
  createClientAuthenticator,
  createClientRevocations,
  type OAuthClientStore,
  OAuthError,
  openClientStore,
  revokeClient,
  rotateClientSecret,
} from '../src/index.js';

const basic = (clientId: string, clientSecret: string) => ({ clientId, clientSecret, method: 'client_secret_basic' as const });
const refused = async (fn: () => unknown) => {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe('invalid_client');
    return;
  }
  throw new Error('expected invalid_client');
};

for (const target of [sqliteTarget(), postgresTarget()]) {
  describe.skipIf(target.missing)(`client store and authenticator on ${target.name} ${target.missing ?? ''}`, () => {
    const closers: Array<() => Promise<void>> = [];
    let settings: DatabaseSettings;
    /** A store on `settings` through a connection of its own: a server, or the clients command beside it. */
    const storeOn = async (on: DatabaseSettings): Promise<OAuthClientStore> => {
      const database = openStore<ClientTables>(on);
      closers.push(() => database.close());
      return openClientStore(database);
    };
    const freshStore = () => {
      settings = target.fresh();
      return storeOn(settings);
    };
    beforeAll(() => target.start());
    afterAll(() => target.stop());
    afterEach(async () => {
      for (const close of closers.splice(0)) await close();
    });

    it('refuses a wrong secret before and after the right one was remembered', async () => {
      const store = await freshStore();
      const { secret } = await createClient(store, { clientId: 'alice', scopes: ['mcp'] });
      const auth = createClientAuthenticator(store);
      await refused(() => auth.authenticate(basic('alice', `${secret}x`)));
      for (let i = 0; i < 3; i++) {
        expect((await auth.authenticate(basic('alice', secret))).clientId).toBe('alice');
        await refused(() => auth.authenticate(basic('alice', `${secret}x`)));
      }
      await refused(() => auth.authenticate(basic('nobody', secret)));
    });

    it('keeps what a client is: scopes, identity, claims; lists and counts', async () => {
      const store = await freshStore();
      await createClient(store, { clientId: 'bob', scopes: ['mcp', 'hr'], subject: 'emp-7', role: 'Manager', claims: { id: 'EMP-007' } });
      await createClient(store, { clientId: 'carol', scopes: [] });
      const [bob, carol] = await store.list();
      expect(bob).toMatchObject({ clientId: 'bob', scopes: ['mcp', 'hr'], subject: 'emp-7', role: 'Manager', claims: { id: 'EMP-007' } });
      expect(carol).toMatchObject({ clientId: 'carol', scopes: [], subject: 'carol', role: null, claims: {}, revokedAt: null });
      expect(await store.count()).toBe(2);
    });

    it('sees a revocation and a rotation made by another process within the recheck interval', async () => {
      const serverStore = await freshStore();
      const { secret } = await createClient(serverStore, { clientId: 'alice', scopes: ['mcp'] });
      let now = Date.now();
      const auth = createClientAuthenticator(serverStore, () => now);
      const revocations = createClientRevocations(serverStore);
      await auth.authenticate(basic('alice', secret));
      expect(await revocations.isRevoked({ jti: undefined, clientId: 'alice' })).toBe(false);

      const cli = await storeOn(settings); // the clients command: another connection
      const rotated = (await rotateClientSecret(cli, 'alice', { overlapMs: 0, now: new Date(now) })).secret;
      now += 150;
      await refused(() => auth.authenticate(basic('alice', secret)));
      expect((await auth.authenticate(basic('alice', rotated))).clientId).toBe('alice');

      await revokeClient(cli, 'alice', new Date(now));
      now += 150;
      await refused(() => auth.authenticate(basic('alice', rotated)));
      // Client-level revocation (jwt-server's tokens of a revoked client) sees it too, in real time.
      await new Promise((r) => setTimeout(r, 150));
      expect(await revocations.isRevoked({ jti: undefined, clientId: 'alice' })).toBe(true);
    });

    it('ends a rotated-out secret at its expiry even while it is remembered', async () => {
      const store = await freshStore();
      let now = Date.parse('2030-01-01T00:00:00Z');
      const { secret: old } = await createClient(store, { clientId: 'bob', scopes: ['mcp'], now: new Date(now) });
      const { secret: next } = await rotateClientSecret(store, 'bob', { overlapMs: 60_000, now: new Date(now) });
      const auth = createClientAuthenticator(store, () => now);
      expect((await auth.authenticate(basic('bob', old))).clientId).toBe('bob');
      expect((await auth.authenticate(basic('bob', next))).clientId).toBe('bob');
      now += 60_001;
      await refused(() => auth.authenticate(basic('bob', old)));
      expect((await auth.authenticate(basic('bob', next))).clientId).toBe('bob');
    });

    it('creates one client when two processes create the same id at once; the other is told it exists', async () => {
      const a = await freshStore();
      const b = await storeOn(settings);
      const create = (store: OAuthClientStore) => createClient(store, { clientId: 'twin', scopes: ['mcp'] });
      // At once on PostgreSQL. Two SQLite connections in one process cannot overlap (the second's BEGIN
      // IMMEDIATE would block the event loop the first needs to commit), so there one follows the other.
      const results =
        target.name === 'postgres'
          ? await Promise.allSettled([create(a), create(b)])
          : [...(await Promise.allSettled([create(a)])), ...(await Promise.allSettled([create(b)]))];
      const created = results.filter((r) => r.status === 'fulfilled');
      const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
      expect(created).toHaveLength(1);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toBeInstanceOf(ClientAdminError);
      expect(refusals[0]?.message).toBe('Client twin already exists');
      expect(await a.count()).toBe(1);
    });
  });
}
