// Plain SQL written once, on the embedded SQLite file and on a real PostgreSQL: `?` placeholders work
// on both, rows read back as written (no libsql metadata), writes count their rows, a write inside a
// transaction is undone with it, and a read while a transaction of this process is open never sees
// its uncommitted rows.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate, numberedPlaceholders, plainSql, writeTransaction } from '../src/index.js';
import { postgresTarget, sqliteTarget, storeTracker } from './targets.js';

describe('numberedPlaceholders', () => {
  it('numbers each ? outside quotes, and leaves quoted ones alone', () => {
    expect(numberedPlaceholders("SELECT ? AS a, '?' AS b, \"c?\" FROM t WHERE x = ? AND y = 'it''s ?'")).toBe(
      "SELECT $1 AS a, '?' AS b, \"c?\" FROM t WHERE x = $2 AND y = 'it''s ?'",
    );
  });
});

const TABLE = {
  sqlite: 'CREATE TABLE things (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, n INTEGER, note TEXT) STRICT',
  postgres: 'CREATE TABLE things (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, n INTEGER, note TEXT)',
};

for (const target of [sqliteTarget(), postgresTarget()]) {
  describe.skipIf(target.missing)(`plain SQL on ${target.name} ${target.missing ?? ''}`, () => {
    const stores = storeTracker();
    beforeAll(() => target.start());
    afterAll(() => target.stop());
    afterEach(() => stores.closeAll());

    const fresh = async () => {
      const store = stores.open<unknown>(target.fresh());
      await migrate(store, 'things', [TABLE]);
      return store;
    };

    it('reads and writes with ? placeholders; rows come back as written, counts as numbers', async () => {
      const store = await fresh();
      const changed = await writeTransaction(store, async (trx) => {
        const q = plainSql(trx);
        return (
          (await q.run('INSERT INTO things (id, n, note) VALUES (?, ?, ?)', ['a', 1, null])) +
          (await q.run('INSERT INTO things (id, n) VALUES (?, ?)', ['b', 2]))
        );
      });
      expect(changed).toBe(2);
      const q = plainSql(store);
      // The same text twice: the second read on SQLite comes from the kept statement.
      for (let i = 0; i < 2; i++)
        expect(await q.all('SELECT id, n, note FROM things WHERE n >= ? ORDER BY seq', [1])).toEqual([
          { id: 'a', n: 1, note: null },
          { id: 'b', n: 2, note: null },
        ]);
      expect(await q.get<{ c: number }>("SELECT count(*) AS c FROM things WHERE id <> '?'")).toEqual({ c: 2 });
      expect(await q.get('SELECT * FROM things WHERE id = ?', ['zz'])).toBeUndefined();
      expect(Object.keys((await q.get('SELECT * FROM things WHERE id = ?', ['a'])) ?? {})).toEqual(['seq', 'id', 'n', 'note']);
    });

    it('a write in a transaction that throws is undone; a read while it is open does not see it', async () => {
      const store = await fresh();
      const q = plainSql(store);
      let seenDuring: unknown[] | undefined;
      await expect(
        writeTransaction(store, async (trx) => {
          await plainSql(trx).run('INSERT INTO things (id, n) VALUES (?, ?)', ['uncommitted', 9]);
          seenDuring = await Promise.race([
            q.all('SELECT id FROM things'),
            new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)),
          ]);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      // SQLite: the read waited for the transaction (one connection); PostgreSQL: another connection.
      if (seenDuring !== undefined) expect(seenDuring).toEqual([]);
      expect(await q.all('SELECT id FROM things')).toEqual([]);
    });
  });
}
