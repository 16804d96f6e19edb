// Product code writes through writeTransaction (lock first) or bestEffortWriter, never through
// libsql's own db.transaction(), whose deferred BEGIN is what broke writes under contention.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

it('no product code opens a transaction of its own', () => {
  const dirs = ['packages', 'apps'].flatMap((top) => readdirSync(join(root, top)).map((name) => join(root, top, name, 'src')));
  const offenders = dirs
    .flatMap((dir) => {
      try {
        return sources(dir);
      } catch {
        return [];
      }
    })
    .filter((file) => !file.includes(join('packages', 'sqlite', 'src')))
    // packages/database is the same rule for Kysely (its writeTransaction and BEGIN IMMEDIATE driver).
    .filter((file) => !file.includes(join('packages', 'database', 'src')))
    .filter((file) => /\.transaction\(|\bBEGIN\b/.test(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file));
  expect(offenders).toEqual([]);
});
