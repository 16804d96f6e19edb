// Client authentication with its record cache: what another process writes is seen within the recheck
// interval, a rotated-out secret ends at its expiry even when remembered, and a remembered secret
// never lets another one through.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createClient,
  createClientAuthenticator,
  OAuthError,
  openDatabase,
  openSqliteClientStore,
  revokeClient,
  rotateClientSecret,
  type SqliteDatabase,
} from '../src/index.js';

const dirs: string[] = [];
const dbs: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const storeAt = (path: string) => {
  const db = openDatabase(path);
  dbs.push(db);
  return openSqliteClientStore(db);
};
const dbPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'clients-'));
  dirs.push(dir);
  return join(dir, 'clients.db');
};
const basic = (clientId: string, clientSecret: string) => ({ clientId, clientSecret, method: 'client_secret_basic' as const });
const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe('invalid_client');
    return;
  }
  throw new Error('expected invalid_client');
};

describe('client authenticator', () => {
  it('refuses a wrong secret before and after the right one was remembered', () => {
    const store = storeAt(':memory:');
    const { secret } = createClient(store, { clientId: 'alice', scopes: ['mcp'] });
    const auth = createClientAuthenticator(store);
    refused(() => auth.authenticate(basic('alice', `${secret}x`)));
    for (let i = 0; i < 3; i++) {
      expect(auth.authenticate(basic('alice', secret)).clientId).toBe('alice');
      refused(() => auth.authenticate(basic('alice', `${secret}x`)));
    }
    refused(() => auth.authenticate(basic('nobody', secret)));
  });

  it('sees a revocation and a rotation made by another process within the recheck interval', () => {
    const path = dbPath();
    const serverStore = storeAt(path);
    const { secret } = createClient(serverStore, { clientId: 'alice', scopes: ['mcp'] });
    let now = Date.now();
    const auth = createClientAuthenticator(serverStore, () => now);
    auth.authenticate(basic('alice', secret));

    const cli = storeAt(path); // the clients command: another connection
    const rotated = rotateClientSecret(cli, 'alice', { overlapMs: 0, now: new Date(now) }).secret;
    now += 150;
    refused(() => auth.authenticate(basic('alice', secret)));
    expect(auth.authenticate(basic('alice', rotated)).clientId).toBe('alice');

    revokeClient(cli, 'alice', new Date(now));
    now += 150;
    refused(() => auth.authenticate(basic('alice', rotated)));
  });

  it('ends a rotated-out secret at its expiry even while it is remembered', () => {
    const store = storeAt(':memory:');
    let now = Date.parse('2030-01-01T00:00:00Z');
    const { secret: old } = createClient(store, { clientId: 'bob', scopes: ['mcp'], now: new Date(now) });
    const { secret: next } = rotateClientSecret(store, 'bob', { overlapMs: 60_000, now: new Date(now) });
    const auth = createClientAuthenticator(store, () => now);
    expect(auth.authenticate(basic('bob', old)).clientId).toBe('bob');
    expect(auth.authenticate(basic('bob', next)).clientId).toBe('bob');
    now += 60_001;
    refused(() => auth.authenticate(basic('bob', old)));
    expect(auth.authenticate(basic('bob', next)).clientId).toBe('bob');
  });
});
