/**
 * The people who sign in at the issuer's login page: a username, a display name, the `job_role` and
 * employee `id` their tokens carry, and a password hash (password-hash.ts). Kept in the issuer's
 * database beside the OAuth clients, on either dialect of @mcp-auth/database (the embedded SQLite
 * file, or a shared PostgreSQL); writes go through writeTransaction.
 */
import { type Database, migrate, toDate, writeTransaction } from '@mcp-auth/database';

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
  find(username: string): Promise<Person | undefined>;
  list(): Promise<Person[]>;
  count(): Promise<number>;
  /** Throws "already exists" when the username is taken (decided by the key, not by a look first). */
  add(person: Omit<Person, 'disabledAt'>): Promise<void>;
  setPasswordHash(username: string, passwordHash: string): Promise<boolean>;
  disable(username: string): Promise<boolean>;
}

/** The table queried here. */
export interface PeopleTables {
  people: {
    username: string;
    name: string;
    role: string;
    employee_id: string;
    password_hash: string;
    disabled_at: number | null;
  };
}

const MIGRATIONS = [
  {
    sqlite: `CREATE TABLE people (
       username TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       role TEXT NOT NULL,
       employee_id TEXT NOT NULL,
       password_hash TEXT NOT NULL,
       disabled_at INTEGER
     ) STRICT`,
    postgres: `CREATE TABLE people (
       username TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       role TEXT NOT NULL,
       employee_id TEXT NOT NULL,
       password_hash TEXT NOT NULL,
       disabled_at BIGINT
     )`,
  },
];

type Row = PeopleTables['people'];

const toPerson = (row: Row): Person => ({
  username: row.username,
  name: row.name,
  role: row.role,
  employeeId: row.employee_id,
  passwordHash: row.password_hash,
  disabledAt: toDate(row.disabled_at),
});

export class PersonExistsError extends Error {
  override readonly name = 'PersonExistsError';
  constructor(readonly username: string) {
    super(`${username} already exists`);
  }
}

/** Migrates `database` (once, however many replicas start together) and returns the store. */
export async function openPeopleStore<DB extends PeopleTables>(shared: Database<DB>): Promise<PeopleStore> {
  // A server's stores share one Database, typed with all of its tables; this one queries only its own.
  const database = shared as unknown as Database<PeopleTables>;
  await migrate(database, 'people', MIGRATIONS);
  const { db } = database;
  const changed = (result: { numUpdatedRows: bigint }) => result.numUpdatedRows > 0n;
  return {
    async find(username) {
      const row = await db.selectFrom('people').selectAll().where('username', '=', username).executeTakeFirst();
      return row ? toPerson(row) : undefined;
    },
    list: async () => (await db.selectFrom('people').selectAll().orderBy('username').execute()).map(toPerson),
    async count() {
      const row = await db
        .selectFrom('people')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async add(person) {
      const inserted = await writeTransaction(database, async (trx) => {
        const result = await trx
          .insertInto('people')
          .values({
            username: person.username,
            name: person.name,
            role: person.role,
            employee_id: person.employeeId,
            password_hash: person.passwordHash,
          })
          .onConflict((oc) => oc.column('username').doNothing())
          .executeTakeFirst();
        return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
      });
      if (!inserted) throw new PersonExistsError(person.username);
    },
    setPasswordHash: (username, hash) =>
      writeTransaction(database, async (trx) =>
        changed(await trx.updateTable('people').set({ password_hash: hash }).where('username', '=', username).executeTakeFirst()),
      ),
    disable: (username) =>
      writeTransaction(database, async (trx) =>
        changed(
          await trx
            .updateTable('people')
            .set({ disabled_at: Date.now() })
            .where('username', '=', username)
            .where('disabled_at', 'is', null)
            .executeTakeFirst(),
        ),
      ),
  };
}
