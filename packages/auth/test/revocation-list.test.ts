// The revocation list when several processes share one database: a token revoked through one is
// refused by the others within the recheck bound, across pruning and across the schema upgrade.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@mcp-auth/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, openSqliteRevocationList, type SqliteDatabase } from '../src/index.js';

let dir: string;
let file: string;
const opened: SqliteDatabase[] = [];
const connection = () => {
  const db = openDatabase(file);
  opened.push(db);
  return db;
};
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'revocation-list-'));
  file = join(dir, 'tokens.db');
});
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('revocation list shared by several processes', () => {
  it('a token revoked through one connection is refused by another once the recheck bound has passed', () => {
    let clock = 1_000_000;
    const now = () => clock;
    const a = openSqliteRevocationList(connection(), { now });
    const b = openSqliteRevocationList(connection(), { now });
    a.revoke('jti-1', inAnHour());
    expect(a.isRevoked({ jti: 'jti-1', clientId: 'c' })).toBe(true);
    clock += 99;
    expect(b.isRevoked({ jti: 'jti-1', clientId: 'c' })).toBe(false); // inside the stated 100 ms bound
    clock += 1;
    expect(b.isRevoked({ jti: 'jti-1', clientId: 'c' })).toBe(true);
    expect(b.entries().map((e) => e.jti)).toEqual(['jti-1']);
    expect(b.isRevoked({ jti: 'jti-2', clientId: 'c' })).toBe(false);
  });

  it('the feed of another process lists the revocation too (entries catch up)', () => {
    let clock = 0;
    const now = () => clock;
    const issuerA = openSqliteRevocationList(connection(), { now });
    const issuerB = openSqliteRevocationList(connection(), { now });
    issuerA.revoke('a', inAnHour());
    issuerA.revoke('b', inAnHour());
    clock += 100;
    expect(
      issuerB
        .entries()
        .map((e) => e.jti)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('a revocation after the newest row was pruned is still seen (ids are never reused)', () => {
    let clock = Date.now();
    const now = () => clock;
    const a = openSqliteRevocationList(connection(), { now });
    const b = openSqliteRevocationList(connection(), { now });
    a.revoke('old', Math.floor(clock / 1000) - 3600); // expired past the grace period
    clock += 100;
    expect(b.isRevoked({ jti: 'old', clientId: 'c' })).toBe(true);
    expect(a.prune()).toBe(1);
    a.revoke('new', inAnHour());
    clock += 100;
    expect(b.isRevoked({ jti: 'new', clientId: 'c' })).toBe(true);
  });

  it('a database from before the upgrade keeps its revocations and shares new ones', () => {
    const old = connection();
    migrate(old, 'revoked_tokens', ['CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) STRICT']);
    old.prepare('INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)').run('from-before', inAnHour());
    let clock = 0;
    const now = () => clock;
    const a = openSqliteRevocationList(connection(), { now });
    const b = openSqliteRevocationList(connection(), { now });
    expect(a.isRevoked({ jti: 'from-before', clientId: 'c' })).toBe(true);
    expect(b.isRevoked({ jti: 'from-before', clientId: 'c' })).toBe(true);
    b.revoke('after', inAnHour());
    clock += 100;
    expect(a.isRevoked({ jti: 'after', clientId: 'c' })).toBe(true);
  });

  it('a token without a jti is never revoked by id', () => {
    const a = openSqliteRevocationList(connection());
    expect(a.isRevoked({ jti: undefined, clientId: 'c' })).toBe(false);
  });
});
