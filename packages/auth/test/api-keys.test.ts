import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ApiKeyStore,
  AuthError,
  apiKeyStatus,
  createApiKey,
  createApiKeyVerifier,
  generateApiKey,
  openSqliteApiKeyStore,
  parseApiKey,
  parseDuration,
  RECORD_RECHECK_MS,
  revokeApiKey,
  rotateApiKey,
} from '../src/index.js';

const stores: ApiKeyStore[] = [];
function memoryStore() {
  const store = openSqliteApiKeyStore(':memory:');
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

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

describe('store', () => {
  it('stores only a hash: the secret appears nowhere in the database file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-'));
    try {
      const path = join(dir, 'keys.db');
      const store = openSqliteApiKeyStore(path);
      const { key } = createApiKey(store, { name: 'n' });
      store.close();
      const bytes = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f)).toString('latin1'))
        .join('');
      expect(bytes).not.toContain(key.slice(22));
      const reopened = openSqliteApiKeyStore(path); // survives a restart, migration is idempotent
      expect(reopened.count()).toBe(1);
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('createApiKeyVerifier', () => {
  it('accepts the key in every credential form and returns the principal', async () => {
    const store = memoryStore();
    const { key, record } = createApiKey(store, { name: 'ci' });
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
    const store = memoryStore();
    const { key } = createApiKey(store, { name: 'ci' });
    const verifier = createApiKeyVerifier({ store });
    for (const bad of [`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, generateApiKey().key, 'secretkey', '']) {
      const error = await reject(() => verifier.verify({ kind: 'api-key-header', key: bad }));
      expect(error).toBeInstanceOf(AuthError);
      expect([error.code, error.description]).toEqual(['invalid_credentials', 'Invalid API key']);
    }
  });

  it('remembers a matched key, and still refuses another secret for the same id after it', async () => {
    const store = memoryStore();
    const { key } = createApiKey(store, { name: 'ci' });
    const verifier = createApiKeyVerifier({ store });
    const forged = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    for (let i = 0; i < 3; i++) {
      expect(await verifier.verify({ kind: 'api-key-header', key })).toMatchObject({ displayName: 'ci' });
      expect((await reject(() => verifier.verify({ kind: 'api-key-header', key: forged }))).code).toBe('invalid_credentials');
    }
  });

  it('refuses revoked and expired keys with distinct descriptions', async () => {
    const store = memoryStore();
    let now = Date.parse('2030-01-01T00:00:00Z');
    const verifier = createApiKeyVerifier({ store, now: () => now });
    const a = createApiKey(store, { name: 'a', ttlMs: 60_000, now: new Date(now) });
    const b = createApiKey(store, { name: 'b', now: new Date(now) });
    await verifier.verify({ kind: 'api-key-header', key: a.key });
    now += 60_000;
    expect((await reject(() => verifier.verify({ kind: 'api-key-header', key: a.key }))).description).toBe('API key expired');
    revokeApiKey(store, b.record.id, new Date(now));
    expect((await reject(() => verifier.verify({ kind: 'api-key-header', key: b.key }))).description).toBe('API key revoked');
  });

  it('records last use, at most once per interval', async () => {
    const store = memoryStore();
    let now = Date.parse('2030-01-01T00:00:00Z');
    const verifier = createApiKeyVerifier({ store, now: () => now, touchIntervalMs: 60_000 });
    const { key, record } = createApiKey(store, { name: 'a' });
    await verifier.verify({ kind: 'bearer', token: key });
    expect(store.findById(record.id)?.lastUsedAt?.getTime()).toBe(now);
    const first = now;
    now += 30_000;
    await verifier.verify({ kind: 'bearer', token: key });
    expect(store.findById(record.id)?.lastUsedAt?.getTime()).toBe(first);
    now += 30_000;
    await verifier.verify({ kind: 'bearer', token: key });
    expect(store.findById(record.id)?.lastUsedAt?.getTime()).toBe(now);
  });
});

describe('admin', () => {
  it('rotate: the old key works during the overlap, then expires; the new key carries the name', async () => {
    const store = memoryStore();
    const t0 = new Date('2030-01-01T00:00:00Z');
    const old = createApiKey(store, { name: 'svc', ttlMs: 30 * 86_400_000, now: t0 });
    const { created } = rotateApiKey(store, old.record.id, { overlapMs: 3_600_000, now: t0 });
    expect(created.record).toMatchObject({ name: 'svc', rotatedFrom: old.record.id });
    expect(created.record.expiresAt?.getTime()).toBe(t0.getTime() + 30 * 86_400_000);
    const oldRecord = store.findById(old.record.id);
    expect(oldRecord?.expiresAt?.getTime()).toBe(t0.getTime() + 3_600_000);
    expect(apiKeyStatus(oldRecord as never, new Date(t0.getTime() + 3_599_999))).toBe('active');
    expect(apiKeyStatus(oldRecord as never, new Date(t0.getTime() + 3_600_000))).toBe('expired');
  });

  it('rotate never extends a key that expires sooner than the overlap', () => {
    const store = memoryStore();
    const t0 = new Date('2030-01-01T00:00:00Z');
    const old = createApiKey(store, { name: 'svc', ttlMs: 60_000, now: t0 });
    rotateApiKey(store, old.record.id, { overlapMs: 86_400_000, now: t0 });
    expect(store.findById(old.record.id)?.expiresAt?.getTime()).toBe(t0.getTime() + 60_000);
  });

  it('refuses nonsense with clear messages', () => {
    const store = memoryStore();
    expect(() => createApiKey(store, { name: ' ' })).toThrow(/1-100 characters/);
    expect(() => revokeApiKey(store, 'DROP TABLE')).toThrow(/not a key id/);
    expect(() => revokeApiKey(store, '0000000000000000')).toThrow(/No key with id/);
    const { record } = createApiKey(store, { name: 'x' });
    revokeApiKey(store, record.id);
    expect(() => rotateApiKey(store, record.id, { overlapMs: 0 })).toThrow(/revoked/);
  });
});

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

describe('verifier cache', () => {
  // The keys and clients commands wait RECORD_RECHECK_MS after a revocation before saying "now".
  it('sees a revocation made by another process once RECORD_RECHECK_MS has passed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keys-cache-'));
    try {
      const path = join(dir, 'keys.db');
      const serverStore = openSqliteApiKeyStore(path);
      const { key, record } = createApiKey(serverStore, { name: 'cached' });
      let now = Date.now();
      const verifier = createApiKeyVerifier({ store: serverStore, now: () => now }); // the servers' default interval
      await verifier.verify({ kind: 'api-key-header', key });
      const cliStore = openSqliteApiKeyStore(path); // the keys command: another connection
      revokeApiKey(cliStore, record.id, new Date(now - 1));
      cliStore.close();
      now += RECORD_RECHECK_MS - 1;
      await verifier.verify({ kind: 'api-key-header', key }); // within the interval: still cached
      now += 1;
      const error = await reject(() => verifier.verify({ kind: 'api-key-header', key }));
      expect(error.description).toBe('API key revoked');
      serverStore.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
