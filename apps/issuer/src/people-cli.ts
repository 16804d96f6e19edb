/**
 * `pnpm --filter issuer people ...`: the people who may sign in at the issuer's login page, in
 * $DATA_DIR/issuer.db (or the DATABASE_URL PostgreSQL). Passwords are generated (128 random bits) and printed once, never taken on the
 * command line, where shell history and `ps` would keep them; only their scrypt hash is stored.
 */
import { parseArgs } from 'node:util';
import { openStore } from '@mcp-auth/database';
import { formatTable, isoSeconds, runCommandLine, UsageError } from '@mcp-auth/mcp-fastify';
import { loadConfig } from './config.js';
import { generatePassword, hashPassword } from './people/password-hash.js';
import { openPeopleStore, type PeopleTables, PersonExistsError } from './people/people-store.js';

const USAGE = `Usage: pnpm --filter issuer people add <username> --role <job_role> [--name <name>] [--id <employee id>]
       pnpm --filter issuer people reset <username>
       pnpm --filter issuer people disable <username>
       pnpm --filter issuer people list

  add      lets <username> sign in; prints a generated password once (the last line)
  reset    replaces the password; prints the new one once
  disable  refuses the person's next sign-in and every refresh of their sign-ins; access tokens
           already issued run until they expire (TOKEN_TTL_SECONDS) unless revoked at /revoke;
           cannot be undone, add the person under another name
  list     username, name, role, id, state

People live in $DATA_DIR/issuer.db (or the PostgreSQL DATABASE_URL names); --role is the job_role claim their tokens carry, --id the id claim.`;

class PeopleError extends Error {
  override readonly name = 'PeopleError';
}

async function run(argv: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, name: { type: 'string' }, id: { type: 'string' } },
  });
  const [command, username] = positionals;
  const needsName = () => {
    if (!username) throw new UsageError(`${command} needs a <username>`);
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(username)) throw new UsageError('a username is 1-64 letters, digits, and . _ @ -');
    return username;
  };
  const database = openStore<PeopleTables>(loadConfig().database);
  try {
    const people = await openPeopleStore(database);
    switch (command) {
      case 'add': {
        const who = needsName();
        if (!values.role) throw new UsageError('add needs --role <job_role>');
        const exists = () => new PeopleError(`${who} already exists; reset their password with: people reset ${who}`);
        if (await people.find(who)) throw exists();
        const password = generatePassword();
        try {
          await people.add({
            username: who,
            name: values.name ?? who,
            role: values.role,
            employeeId: values.id ?? who,
            passwordHash: await hashPassword(password),
          });
        } catch (error) {
          // Added by someone else while the password was hashed.
          throw error instanceof PersonExistsError ? exists() : error;
        }
        out(`Added ${who} (${values.role}). Password, shown once:`);
        out(password);
        return;
      }
      case 'reset': {
        const who = needsName();
        const person = await people.find(who);
        if (!person) throw new PeopleError(`no person named ${who}`);
        if (person.disabledAt) throw new PeopleError(`${who} is disabled`);
        const password = generatePassword();
        await people.setPasswordHash(who, await hashPassword(password));
        out(`New password for ${who}, shown once:`);
        out(password);
        return;
      }
      case 'disable': {
        const who = needsName();
        if (!(await people.find(who))) throw new PeopleError(`no person named ${who}`);
        if (!(await people.disable(who))) throw new PeopleError(`${who} is already disabled`);
        out(`${who} can no longer sign in.`);
        return;
      }
      case 'list':
        out(
          formatTable(
            (await people.list()).map((p) => ({
              username: p.username,
              name: p.name,
              role: p.role,
              id: p.employeeId,
              state: p.disabledAt ? `disabled ${isoSeconds(p.disabledAt)}` : 'active',
            })),
            'No people yet: add one with  pnpm --filter issuer people add <username> --role <job_role>',
          ),
        );
        return;
      default:
        throw new UsageError(command ? `unknown command "${command}"` : 'a command is required: add, reset, disable or list');
    }
  } finally {
    await database.close();
  }
}

await runCommandLine({ name: 'people', usage: USAGE, run, userErrors: [PeopleError] });
