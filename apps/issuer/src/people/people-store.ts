/**
 * The people who sign in at the issuer's login page: a username, a display name, the `job_role` and
 * employee `id` their tokens carry, and a password hash (password-hash.ts). Kept in the issuer's
 * SQLite file beside the OAuth clients; writes go through writeTransaction.
 */
import { migrate, type SqliteDatabase, writeTransaction } from '@mcp-auth/auth';

export interface Person {
  readonly username: string;
  readonly name: string;
  readonly role: string;
  /** Employee number, the `id` claim the HR and project tools filter "own rows" by. */
  readonly employeeId: string;
  readonly passwordHash: string;
  readonly disabledAt: Date | null;
}

export interface PeopleStore {
  find(username: string): Person | undefined;
  list(): Person[];
  count(): number;
  add(person: Omit<Person, 'disabledAt'>): void;
  setPasswordHash(username: string, passwordHash: string): boolean;
  disable(username: string): boolean;
}

const MIGRATIONS = [
  `CREATE TABLE people (
     username TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     role TEXT NOT NULL,
     employee_id TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     disabled_at INTEGER
   ) STRICT`,
];

interface Row {
  username: string;
  name: string;
  role: string;
  employee_id: string;
  password_hash: string;
  disabled_at: number | null;
}

const toPerson = (row: Row): Person => ({
  username: row.username,
  name: row.name,
  role: row.role,
  employeeId: row.employee_id,
  passwordHash: row.password_hash,
  disabledAt: row.disabled_at === null ? null : new Date(row.disabled_at),
});

export function openSqlitePeopleStore(db: SqliteDatabase): PeopleStore {
  migrate(db, 'people', MIGRATIONS);
  const byName = db.prepare('SELECT * FROM people WHERE username = ?');
  const all = db.prepare('SELECT * FROM people ORDER BY username');
  const count = db.prepare('SELECT count(*) AS n FROM people');
  const insert = db.prepare('INSERT INTO people (username, name, role, employee_id, password_hash) VALUES (?, ?, ?, ?, ?)');
  const setHash = db.prepare('UPDATE people SET password_hash = ? WHERE username = ?');
  const disable = db.prepare('UPDATE people SET disabled_at = ? WHERE username = ? AND disabled_at IS NULL');
  return {
    find(username) {
      const row = byName.get(username) as Row | undefined;
      return row ? toPerson(row) : undefined;
    },
    list: () => (all.all() as Row[]).map(toPerson),
    count: () => (count.get() as { n: number }).n,
    add(person) {
      writeTransaction(db, () => insert.run(person.username, person.name, person.role, person.employeeId, person.passwordHash));
    },
    setPasswordHash: (username, hash) => writeTransaction(db, () => setHash.run(hash, username)).changes > 0,
    disable: (username) => writeTransaction(db, () => disable.run(Date.now(), username)).changes > 0,
  };
}
