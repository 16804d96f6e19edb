// The revocation list on both dialects, when several processes share one database: a token revoked
// through one is refused by the others within the recheck bound, across pruning, across the SQLite
// schema upgrade, and (PostgreSQL) when many revocations commit at once through different replicas.
import { type Database, type DatabaseSettings, openStore } from '@mcp-auth/database';
import { migrate, openDatabase } from '@mcp-auth/sqlite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
// By path, as packages/database's own tests do (a package dependency would be a cycle).
import { postgresTarget, sqliteTarget } from '../../database/test/targets.js';
import { openRevocationList, type RevocationList, type RevocationListOptions, type RevocationTables } from '../src/index.js';

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const token = (jti: string | undefined) => ({ jti, clientId: 'c' });

for (const target of [sqliteTarget(), postgresTarget()]) {
  describe.skipIf(target.missing)(`revocation list shared by several processes, on ${target.name} ${target.missing ?? ''}`, () => {
    const opened: Database<RevocationTables>[] = [];
    let settings: DatabaseSettings;
    /** A list on `settings` through a connection of its own: one replica, or one process on the file. */
    const listOn = (on: DatabaseSettings, options?: RevocationListOptions): Promise<RevocationList> => {
      const database = openStore<RevocationTables>(on);
      opened.push(database);
      return openRevocationList(database, options);
    };
    const fresh = () => {
      settings = target.fresh();
      return settings;
    };
    beforeAll(() => target.start());
    afterAll(() => target.stop());
    afterEach(async () => {
      for (const database of opened.splice(0)) await database.close();
    });

    it('a token revoked through one is refused by another once the recheck bound has passed, not before', async () => {
      let clock = 1_000_000;
      const now = () => clock;
      const a = await listOn(fresh(), { now });
      const b = await listOn(settings, { now });
      await a.revoke('jti-1', inAnHour());
      expect(await a.isRevoked(token('jti-1'))).toBe(true);
      clock += 99;
      expect(await b.isRevoked(token('jti-1'))).toBe(false); // inside the stated 100 ms bound
      clock += 1;
      expect(await b.isRevoked(token('jti-1'))).toBe(true);
      expect((await b.entries()).map((e) => e.jti)).toEqual(['jti-1']);
      expect(await b.isRevoked(token('jti-2'))).toBe(false);
    });

    it('answers from memory between looks, and waits for the look when one is due', async () => {
      let clock = 0;
      const a = await listOn(fresh(), { now: () => clock });
      expect(a.isRevoked(token('x'))).toBe(false); // the first look started when the list opened
      await a.entries();
      expect(a.isRevoked(token('x'))).toBe(false);
      clock += 100;
      const due = a.isRevoked(token('x'));
      expect(due).toBeInstanceOf(Promise);
      expect(await due).toBe(false);
    });

    it('a restart keeps every revocation, and revoking twice is one entry', async () => {
      const a = await listOn(fresh());
      await a.revoke('kept', inAnHour());
      await a.revoke('kept', inAnHour());
      const restarted = await listOn(settings);
      expect(await restarted.isRevoked(token('kept'))).toBe(true);
      expect((await restarted.entries()).map((e) => e.jti)).toEqual(['kept']);
    });

    it('a revocation after the newest row was pruned is still seen (ids are never reused)', async () => {
      let clock = Date.now();
      const now = () => clock;
      const a = await listOn(fresh(), { now });
      const b = await listOn(settings, { now });
      // Not expired yet: a token already past its exp may be cleaned up by any list's start-up sweep
      // (b's runs in the background on PostgreSQL), which would race this test.
      const seconds = Math.floor(clock / 1000);
      await a.revoke('old', seconds + 60);
      clock += 100;
      expect(await b.isRevoked(token('old'))).toBe(true);
      // Pruned as if two hours had passed: 'old' goes, from memory at once and from the table behind it.
      expect(a.prune(seconds + 7200)).toBe(1);
      await a.entries(); // lets the best-effort delete of PostgreSQL's background run first
      await a.revoke('new', seconds + 10 * 3600);
      clock += 100;
      expect(await b.isRevoked(token('new'))).toBe(true);
    });

    it('a token without a jti is never revoked by id', async () => {
      const a = await listOn(fresh());
      expect(a.isRevoked(token(undefined))).toBe(false);
    });

    // PostgreSQL only: SQLite has one writer at a time, and two connections of one process cannot
    // even overlap (the second's BEGIN IMMEDIATE blocks the thread the first needs to commit).
    it.skipIf(target.name === 'sqlite')(
      'revocations made at once through several replicas are all seen by a reader that looks all along',
      async () => {
        let clock = 0;
        const now = () => clock;
        const on = fresh();
        const writers = await Promise.all([0, 1, 2, 3].map(() => listOn(on)));
        const reader = await listOn(settings, { now });
        const jtis = Array.from({ length: 100 }, (_, i) => `t-${i}`);
        let done = false;
        // The reader looks as often as it can while the revocations commit: a reader that saw a later
        // seq before an earlier one committed would never read the earlier one.
        const looking = (async () => {
          while (!done) {
            clock += 100;
            await reader.isRevoked(token('probe'));
          }
        })();
        await Promise.all(jtis.map((jti, i) => (writers[i % writers.length] as RevocationList).revoke(jti, inAnHour())));
        done = true;
        await looking;
        clock += 100;
        await reader.isRevoked(token('probe'));
        const missed = [];
        for (const jti of jtis) if (!(await reader.isRevoked(token(jti)))) missed.push(jti);
        expect(missed).toEqual([]);
      },
    );
  });
}

describe('a SQLite file from before PostgreSQL was supported', () => {
  const target = sqliteTarget();
  const opened: Database<RevocationTables>[] = [];
  beforeAll(() => target.start());
  afterAll(async () => {
    for (const database of opened) await database.close();
    await target.stop();
  });

  it('keeps its revocations through the schema upgrade and shares new ones', async () => {
    const settings = target.fresh();
    if (settings.kind !== 'sqlite') throw new Error('expected a SQLite target');
    const old = openDatabase(settings.path);
    migrate(old, 'revoked_tokens', ['CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) STRICT']);
    old.prepare('INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, ?)').run('from-before', inAnHour());
    old.close();
    let clock = 0;
    const now = () => clock;
    const open = () => {
      const database = openStore<RevocationTables>(settings);
      opened.push(database);
      return openRevocationList(database, { now });
    };
    const a = await open();
    const b = await open();
    expect(await a.isRevoked(token('from-before'))).toBe(true);
    expect(await b.isRevoked(token('from-before'))).toBe(true);
    await b.revoke('after', inAnHour());
    clock += 100;
    expect(await a.isRevoked(token('after'))).toBe(true);
  });
});
