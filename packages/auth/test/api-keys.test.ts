import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseSettings, databaseSettings, openStore } from '@mcp-auth/database';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// By path, as packages/database's own tests do (a package dependency would be a cycle).
import { postgresTarget, sqliteTarget } from '../../database/test/targets.js';
import {
  type ApiKeyStore,
  type ApiKeyTables,
  AuthError,
  apiKeyStatus,
  createApiKey,
  createApiKeyVerifier,
  createFirstApiKey,
  generateApiKey,
  openApiKeyStore,
  parseApiKey,
  parseDuration,
  RECORD_RECHECK_MS,
  revokeApiKey,
  rotateApiKey,
} from '../src/index.js';

const reject = async (fn: () => unknown) => {
  try {
    await fn();
  } catch (error) {
    return error as AuthError;
  }
  throw new Error('expected a rejection');
};

describe('key format', () => {
  it('is mcpk_<16 char id>_<43 char secret> and parses back', () => {
    const { key, id } = generateApiKey();
    expect(key).toMatch(/^mcpk_[0-9a-z]{16}_[A-Za-z0-9_-]{43}$/);
    expect(parseApiKey(key)).toEqual({ id, secret: key.slice(22) });
    expect(parseApiKey(`${key}x`)).toBeUndefined();
    expect(parseApiKey('secretkey')).toBeUndefined();
  });

  it('ids and secrets do not repeat', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });
});

describe('store on SQLite', () => {
  it('stores only a hash: the secret appears nowhere in the database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    try {
      const settings = databaseSettings({}, { service: 'test', sqlitePath: join(dir, 'keys.db') });
      const store = await openApiKeyStore(openStore<ApiKeyTables>(settings));
      const { key } = await createApiKey(store, { name: 'n' });
      await store.close();
      const bytes = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f)).toString('latin1'))
        .join('');
      expect(bytes).not.toContain(key.slice(22));
      const reopened = await openApiKeyStore(openStore<ApiKeyTables>(settings)); // survives a restart, migration is idempotent
      expect(await reopened.count()).toBe(1);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const target of [sqliteTarget(), postgresTarget()]) {
  describe.skipIf(target.missing)(`on ${target.name} ${target.missing ?? ''}`, () => {
    const stores: ApiKeyStore[] = [];
    /** A store on a fresh, empty database (a new file, a new schema); `settings` opens it again. */
    let settings: DatabaseSettings;
    const memoryStore = async () => {
      settings = target.fresh();
      const store = await openApiKeyStore(openStore<ApiKeyTables>(settings));
      stores.push(store);
      return store;
    };
    /** The same database through a second connection: what the keys command or another replica sees. */
    const anotherProcess = async () => {
      const store = await openApiKeyStore(openStore<ApiKeyTables>(settings));
      stores.push(store);
      return store;
    };
    /** The key's last-use stamp once it is `expected`, or what it is after a second of waiting. */
    const lastUsed = async (store: ApiKeyStore, id: string, expected: number) => {
      // touch is best effort and, on PostgreSQL, runs in the background: wait for it to land.
      let at: Date | null | undefined;
      for (let i = 0; i < 50; i++) {
        at = (await store.findById(id))?.lastUsedAt;
        if (at?.getTime() === expected || target.name === 'sqlite') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      return at;
    };
    /**
     * Runs the calls at once on PostgreSQL, where each is a connection of its own. On SQLite one after
     * the other: two connections in one process cannot interleave transactions on one file (a libsql
     * call blocks the thread while it waits for the file's write lock, so the holder never finishes);
     * between processes BEGIN IMMEDIATE serializes them, which is what the sequence stands for.
     */
    const together = async <T>(calls: Array<() => Promise<T>>): Promise<PromiseSettledResult<T>[]> => {
      if (target.name !== 'sqlite') return Promise.allSettled(calls.map((call) => call()));
      const results: PromiseSettledResult<T>[] = [];
      for (const call of calls) results.push(...(await Promise.allSettled([call()])));
      return results;
    };
    beforeAll(() => target.start());
    afterAll(() => target.stop());
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
    });

    describe('createApiKeyVerifier', () => {
      it('accepts the key in every credential form and returns the principal', async () => {
        const store = await memoryStore();
        const { key, record } = await createApiKey(store, { name: 'ci' });
        const verifier = createApiKeyVerifier({ store });
        const id = `mcpk_${record.id}`;
        for (const credential of [
          { kind: 'api-key-header', key } as const,
          { kind: 'bearer', token: key } as const,
          { kind: 'basic', username: key, password: '' } as const,
          { kind: 'basic', username: id, password: key.slice(22) } as const,
          { kind: 'basic', username: 'anything', password: key } as const,
        ]) {
          expect(await verifier.verify(credential)).toMatchObject({ id: `apikey:${record.id}`, method: 'api-key', displayName: 'ci' });
        }
      });

      it('refuses a wrong secret, an unknown id and junk with the same error', async () => {
        const store = await memoryStore();
        const { key } = await createApiKey(store, { name: 'ci' });
        const verifier = createApiKeyVerifier({ store });
        for (const bad of [`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, generateApiKey().key, 'secretkey', '']) {
          const error = await reject(() => verifier.verify({ kind: 'api-key-header', key: bad }));
          expect(error).toBeInstanceOf(AuthError);
          expect([error.code, error.description]).toEqual(['invalid_credentials', 'Invalid API key']);
        }
      });

      it('remembers a matched key, and still refuses another secret for the same id after it', async () => {
        const store = await memoryStore();
        const { key } = await createApiKey(store, { name: 'ci' });
        const verifier = createApiKeyVerifier({ store });
        const forged = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
        for (let i = 0; i < 3; i++) {
          expect(await verifier.verify({ kind: 'api-key-header', key })).toMatchObject({ displayName: 'ci' });
          expect((await reject(() => verifier.verify({ kind: 'api-key-header', key: forged }))).code).toBe('invalid_credentials');
        }
      });

      it('remembers a key by the whole key, whichever form it came in: a forged secret in any form is refused after it', async () => {
        const store = await memoryStore();
        const { key, record } = await createApiKey(store, { name: 'ci' });
        const verifier = createApiKeyVerifier({ store });
        const forgedSecret = `${key.slice(22, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
        const id = `mcpk_${record.id}`;
        await verifier.verify({ kind: 'basic', username: id, password: key.slice(22) });
        expect(await verifier.verify({ kind: 'api-key-header', key })).toMatchObject({ displayName: 'ci' });
        expect(await verifier.verify({ kind: 'bearer', token: key })).toMatchObject({ displayName: 'ci' });
        for (const forged of [
          { kind: 'basic', username: id, password: forgedSecret } as const,
          { kind: 'api-key-header', key: `${id}_${forgedSecret}` } as const,
          { kind: 'bearer', token: ` ${key}` } as const,
        ]) {
          expect((await reject(() => verifier.verify(forged))).code).toBe('invalid_credentials');
        }
      });

      it('refuses revoked and expired keys with distinct descriptions', async () => {
        const store = await memoryStore();
        let now = Date.parse('2030-01-01T00:00:00Z');
        const verifier = createApiKeyVerifier({ store, now: () => now });
        const a = await createApiKey(store, { name: 'a', ttlMs: 60_000, now: new Date(now) });
        const b = await createApiKey(store, { name: 'b', now: new Date(now) });
        await verifier.verify({ kind: 'api-key-header', key: a.key });
        now += 60_000;
        expect((await reject(() => verifier.verify({ kind: 'api-key-header', key: a.key }))).description).toBe('API key expired');
        await revokeApiKey(store, b.record.id, new Date(now));
        expect((await reject(() => verifier.verify({ kind: 'api-key-header', key: b.key }))).description).toBe('API key revoked');
      });

      it('records last use, at most once per interval', async () => {
        const store = await memoryStore();
        let now = Date.parse('2030-01-01T00:00:00Z');
        const verifier = createApiKeyVerifier({ store, now: () => now, touchIntervalMs: 60_000 });
        const { key, record } = await createApiKey(store, { name: 'a' });
        await verifier.verify({ kind: 'bearer', token: key });
        expect((await lastUsed(store, record.id, now))?.getTime()).toBe(now);
        const first = now;
        now += 30_000;
        await verifier.verify({ kind: 'bearer', token: key });
        expect((await lastUsed(store, record.id, first))?.getTime()).toBe(first);
        now += 30_000;
        await verifier.verify({ kind: 'bearer', token: key });
        expect((await lastUsed(store, record.id, now))?.getTime()).toBe(now);
      });
    });

    describe('admin', () => {
      it('rotate: the old key works during the overlap, then expires; the new key carries the name', async () => {
        const store = await memoryStore();
        const t0 = new Date('2030-01-01T00:00:00Z');
        const old = await createApiKey(store, { name: 'svc', ttlMs: 30 * 86_400_000, now: t0 });
        const { created } = await rotateApiKey(store, old.record.id, { overlapMs: 3_600_000, now: t0 });
        expect(created.record).toMatchObject({ name: 'svc', rotatedFrom: old.record.id });
        expect(created.record.expiresAt?.getTime()).toBe(t0.getTime() + 30 * 86_400_000);
        const oldRecord = await store.findById(old.record.id);
        expect(oldRecord?.expiresAt?.getTime()).toBe(t0.getTime() + 3_600_000);
        expect(apiKeyStatus(oldRecord as never, new Date(t0.getTime() + 3_599_999))).toBe('active');
        expect(apiKeyStatus(oldRecord as never, new Date(t0.getTime() + 3_600_000))).toBe('expired');
      });

      it('rotate never extends a key that expires sooner than the overlap', async () => {
        const store = await memoryStore();
        const t0 = new Date('2030-01-01T00:00:00Z');
        const old = await createApiKey(store, { name: 'svc', ttlMs: 60_000, now: t0 });
        await rotateApiKey(store, old.record.id, { overlapMs: 86_400_000, now: t0 });
        expect((await store.findById(old.record.id))?.expiresAt?.getTime()).toBe(t0.getTime() + 60_000);
      });

      it('rotate is one transaction per key: two processes rotating one key at once get one new key and one refusal naming it', async () => {
        const store = await memoryStore();
        const other = await anotherProcess();
        const old = await createApiKey(store, { name: 'svc' });
        const results = await together([
          () => rotateApiKey(store, old.record.id, { overlapMs: 60_000 }),
          () => rotateApiKey(other, old.record.id, { overlapMs: 60_000 }),
        ]);
        const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
        expect(done).toHaveLength(1);
        expect(refused).toHaveLength(1);
        const successor = done[0]?.created.record.id;
        expect(refused[0]?.message).toBe(
          `Key ${old.record.id} was already rotated: its replacement is ${successor}; rotate that one instead`,
        );
        expect((await store.list()).map((r) => r.id).sort()).toEqual([old.record.id, successor].sort());
        // The refused rotation wrote nothing, and the new key can be rotated in its turn.
        await expect(rotateApiKey(other, successor as string, { overlapMs: 0 })).resolves.toBeDefined();
        expect(await store.count()).toBe(3);
      });

      it('createFirstApiKey: of several processes on an empty database, exactly one creates a key', async () => {
        const replicas = [await memoryStore(), await anotherProcess(), await anotherProcess(), await anotherProcess()];
        const created = await together(replicas.map((s) => () => createFirstApiKey(s, { name: 'demo' })));
        expect(created.every((c) => c.status === 'fulfilled')).toBe(true);
        expect(created.filter((c) => c.status === 'fulfilled' && c.value !== undefined)).toHaveLength(1);
        expect(await replicas[0]?.count()).toBe(1);
        await expect(createFirstApiKey(replicas[1] as ApiKeyStore, { name: 'demo' })).resolves.toBeUndefined();
        expect(await replicas[2]?.count()).toBe(1);
      });

      it('refuses nonsense with clear messages', async () => {
        const store = await memoryStore();
        await expect(createApiKey(store, { name: ' ' })).rejects.toThrow(/1-100 characters/);
        await expect(revokeApiKey(store, 'DROP TABLE')).rejects.toThrow(/not a key id/);
        await expect(revokeApiKey(store, '0000000000000000')).rejects.toThrow(/No key with id/);
        const { record } = await createApiKey(store, { name: 'x' });
        await revokeApiKey(store, record.id);
        await expect(revokeApiKey(store, record.id)).rejects.toThrow(/already revoked/);
        await expect(rotateApiKey(store, record.id, { overlapMs: 0 })).rejects.toThrow(/revoked/);
      });
    });

    describe('verifier cache', () => {
      // The keys command waits RECORD_RECHECK_MS after a revocation before saying "now".
      it('sees a revocation made by another process once RECORD_RECHECK_MS has passed', async () => {
        const serverStore = await memoryStore();
        const { key, record } = await createApiKey(serverStore, { name: 'cached' });
        let now = Date.now();
        const verifier = createApiKeyVerifier({ store: serverStore, now: () => now }); // the servers' default interval
        await verifier.verify({ kind: 'api-key-header', key });
        now += RECORD_RECHECK_MS; // the look that notes our own write
        await verifier.verify({ kind: 'api-key-header', key });
        const cliStore = await anotherProcess(); // the keys command: another connection
        await revokeApiKey(cliStore, record.id, new Date(now - 1));
        now += RECORD_RECHECK_MS - 1;
        // Within the interval: from memory, at once (no promise: no database read on the request path).
        expect(verifier.verify({ kind: 'api-key-header', key })).not.toBeInstanceOf(Promise);
        now += 1;
        const error = await reject(() => verifier.verify({ kind: 'api-key-header', key }));
        expect(error.description).toBe('API key revoked');
      });

      it('a key verified while a revocation commits is not kept: the next request reads it again', async () => {
        const store = await memoryStore();
        const { key, record } = await createApiKey(store, { name: 'racing' });
        const verifier = createApiKeyVerifier({ store });
        await verifier.verify({ kind: 'api-key-header', key });
        const revoking = revokeApiKey(store, record.id);
        await Promise.allSettled([verifier.verify({ kind: 'api-key-header', key }), revoking]);
        expect((await reject(() => verifier.verify({ kind: 'api-key-header', key }))).code).toBe('revoked_credentials');
      });
    });
  });
}

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['90d', 7_776_000_000],
    ['1.5h', 5_400_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it('refuses what it does not understand', () => expect(() => parseDuration('5 years')).toThrow(/not a duration/));
});
