// Regression: the readiness probe once read the file's header with node:fs. Closing that descriptor
// released every POSIX lock this process held on the database, the server connection's too; the next
// process to close its own connection then took itself for the last one, checkpointed and deleted the
// WAL, and the server read a stale snapshot from then on (a client created or revoked by the CLI was
// never seen, found under docker compose, whose health check polls /ready).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createDatabaseProbe, openDatabase } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'probe-locks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const libsqlPath = createRequire(import.meta.url).resolve('libsql');

it("probing keeps the server connection's locks: it still sees what another process writes", () => {
  const path = join(dir, 'server.db');
  const db = openDatabase(path);
  db.exec('CREATE TABLE items (id TEXT PRIMARY KEY) STRICT');
  const find = db.prepare('SELECT id FROM items WHERE id = ?');
  const probe = createDatabaseProbe(path);
  for (const n of [1, 2, 3]) {
    expect(probe()).toEqual({ ok: true });
    // Another process (an admin CLI) writes one row and closes its connection.
    execFileSync(process.execPath, [
      '-e',
      `const D = require(${JSON.stringify(libsqlPath)}); const o = new D(${JSON.stringify(path)}); o.exec("INSERT INTO items VALUES ('row-${n}')"); o.close();`,
    ]);
    expect(find.get(`row-${n}`)).toMatchObject({ id: `row-${n}` });
  }
  db.close();
});
