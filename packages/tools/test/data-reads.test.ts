// The data tools' reads on the embedded file: the fast path (kept statements, rows built once) gives
// exactly what a read through Kysely gives, for every table of the three seeded data sets, whole and
// filtered; records leave out NULLs and `seq`; each distinct text is prepared once per connection.
import { embeddedConnection, openStore, plainSql, writeTransaction } from '@mcp-auth/database';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readRecords, where } from '../src/common/records.js';
import { prepareCrmData } from '../src/crm/index.js';
import { prepareHrData } from '../src/hr/index.js';
import { prepareProjectData } from '../src/projects/index.js';

type Row = Record<string, unknown>;
const open = () => openStore<unknown>({ kind: 'sqlite', path: ':memory:' });
const databases = { hr: open(), projects: open(), crm: open() };
afterAll(async () => {
  for (const database of Object.values(databases)) await database.close();
});

/** The same read through Kysely: writeTransaction's body runs with the connection in a transaction. */
const throughKysely = (database: ReturnType<typeof open>, sql: string, params: Array<string | number> = []) =>
  writeTransaction(database, async (trx) => plainSql(trx).all<Row>(sql, params));

describe('data reads on the embedded file', () => {
  for (const [name, database] of Object.entries(databases)) {
    it(`${name}: every table reads as through Kysely, whole and filtered by its first row's values`, async () => {
      await { hr: prepareHrData, projects: prepareProjectData, crm: prepareCrmData }[name as 'hr'](database);
      const q = plainSql(database);
      const tables = (
        await q.all<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'",
        )
      ).map((t) => t.name);
      expect(tables.length).toBeGreaterThan(1);
      let compared = 0;
      for (const table of tables) {
        const all = await throughKysely(database, `SELECT * FROM ${table}`);
        expect(await q.all(`SELECT * FROM ${table}`)).toEqual(all);
        const first = all[0];
        if (!first) continue;
        const [column, value] = Object.entries(first).find(([k, v]) => k !== 'seq' && typeof v === 'string') ?? [];
        if (column === undefined) continue;
        const w = where({ [column]: value as string });
        const sql = `SELECT * FROM ${table} ${w.sql}`;
        expect(await q.all(sql, w.params)).toEqual(await throughKysely(database, sql, w.params));
        compared += all.length;
      }
      expect(compared).toBeGreaterThan(0);
    });
  }

  it('records leave out NULLs and the seq column, keep zeros, empty strings and aliases', async () => {
    const q = plainSql(databases.hr);
    const [row] = await readRecords(q, "SELECT 0 AS zero, '' AS empty, NULL AS gone, 7 AS seq, 'x' AS alias_name");
    expect(row).toEqual({ zero: 0, empty: '', alias_name: 'x' });
    expect(await readRecords(q, 'SELECT 1 AS one WHERE 0')).toEqual([]);
  });

  it('prepares each distinct SQL text once per connection', async () => {
    const database = open();
    await prepareHrData(database);
    const prepare = vi.spyOn(embeddedConnection(database), 'prepare');
    const q = plainSql(database);
    for (let i = 0; i < 5; i++) await readRecords(q, 'SELECT * FROM employees WHERE department = ?', ['Engineering']);
    await readRecords(q, 'SELECT * FROM employees WHERE status = ?', ['active']);
    expect(prepare).toHaveBeenCalledTimes(2);
    await database.close();
  });
});
