// The data tools' row reader gives exactly what the per-call prepare + clean() path gave, for every
// table of the three seeded databases, with and without filters, and prepares each SQL text once.
import { describe, expect, it, vi } from 'vitest';
import { readRecords } from '../src/common/record-reader.js';
import { clean, where } from '../src/common/records.js';
import { openCrmDatabase } from '../src/crm/index.js';
import { openHrDatabase } from '../src/hr/index.js';
import { openProjectDatabase } from '../src/projects/index.js';

type Row = Record<string, unknown>;
const databases = { hr: openHrDatabase(':memory:'), projects: openProjectDatabase(':memory:'), crm: openCrmDatabase(':memory:') };

function oldPath(db: (typeof databases)['hr'], sql: string, params: Array<string | number>): Row[] {
  return (db.prepare(sql).all(...params) as Row[]).map(clean);
}

describe('record reader', () => {
  for (const [name, db] of Object.entries(databases)) {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>
    ).map((t) => t.name);
    it(`${name}: every table reads as before, whole and filtered by its first row's values`, () => {
      expect(tables.length).toBeGreaterThan(1);
      let compared = 0;
      for (const table of tables) {
        const all = oldPath(db, `SELECT * FROM ${table}`, []);
        expect(readRecords(db, `SELECT * FROM ${table}`)).toEqual(all);
        const first = (db.prepare(`SELECT * FROM ${table} LIMIT 1`).get() ?? undefined) as Row | undefined;
        if (!first) continue;
        const [column, value] = Object.entries(first).find(([k, v]) => k !== 'seq' && typeof v === 'string') ?? [];
        if (column === undefined) continue;
        const w = where({ [column]: value as string });
        const sql = `SELECT * FROM ${table} ${w.sql}`;
        expect(readRecords(db, sql, w.params)).toEqual(oldPath(db, sql, w.params));
        compared += all.length;
      }
      expect(compared).toBeGreaterThan(0);
    });
  }

  it('leaves out NULLs and the seq column, keeps zeros, empty strings and aliases', () => {
    const db = databases.hr;
    const [row] = readRecords(db, "SELECT 0 AS zero, '' AS empty, NULL AS gone, 7 AS seq, 'x' AS alias_name");
    expect(row).toEqual({ zero: 0, empty: '', alias_name: 'x' });
    expect(readRecords(db, 'SELECT 1 AS one WHERE 0')).toEqual([]);
  });

  it('prepares each distinct SQL text once per database', () => {
    const db = openHrDatabase(':memory:');
    const prepare = vi.spyOn(db, 'prepare');
    for (let i = 0; i < 5; i++) readRecords(db, 'SELECT * FROM employees WHERE department = ?', ['Engineering']);
    readRecords(db, 'SELECT * FROM employees WHERE status = ?', ['active']);
    expect(prepare).toHaveBeenCalledTimes(2);
    db.close();
  });
});
