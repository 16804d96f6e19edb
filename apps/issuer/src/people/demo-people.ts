/**
 * Dev mode: the article's people (alice, bob, carol) can sign in at the login page, each with a
 * generated password. Like the other demo secrets, the passwords are never printed: they are saved
 * the moment they are made to MCP_AUTH_DIR/demo-passwords.json (0600, gitignored), and the start
 * banner names that file. A later start keeps them; if the file is gone, the demo people still
 * present get new passwords (the old ones were lost with it). Production never creates anyone.
 *
 * On a shared database (DATABASE_URL) the people are only ever added, by the first replica to find
 * none: a replica without the file may be one whose MCP_AUTH_DIR is not shared, and new passwords
 * would end the ones another replica saved. The others say where they are.
 */
import { type DemoOrigin, readSecretFile, writeSecretFile } from '@mcp-auth/mcp-fastify';
import { DEMO_IDENTITIES } from '../demo-identities.js';
import { generatePassword, hashPassword, verifyPassword } from './password-hash.js';
import { type PeopleStore, PersonExistsError } from './people-store.js';

export interface DemoPerson {
  readonly username: string;
  readonly role: string;
  readonly password: string;
}

type SavedFile = { people?: Record<string, { password?: unknown; job_role?: unknown }> } | undefined;

export interface DemoPeopleOptions {
  production: boolean;
  file: string;
  /** DATABASE_URL is set: other replicas share the people. */
  sharedDatabase: boolean;
}

export async function ensureDemoPeople(
  store: PeopleStore,
  { production, file, sharedDatabase }: DemoPeopleOptions,
): Promise<{ people: DemoPerson[]; origin: DemoOrigin } | { elsewhere: true } | undefined> {
  if (production) return undefined;
  const saved = readSecretFile(file) as SavedFile;
  if (saved !== undefined) {
    const people: DemoPerson[] = [];
    for (const [username, entry] of Object.entries(saved.people ?? {})) {
      const person = await store.find(username);
      if (typeof entry.password === 'string' && person && !person.disabledAt && (await verifyPassword(entry.password, person.passwordHash)))
        people.push({ username, role: person.role, password: entry.password });
    }
    return people.length > 0 ? { people, origin: 'saved' } : undefined;
  }
  let result: { people: DemoPerson[]; origin: DemoOrigin };
  if ((await store.count()) === 0) {
    const people: DemoPerson[] = [];
    for (const who of DEMO_IDENTITIES) {
      const password = generatePassword();
      try {
        await store.add({
          username: who.clientId,
          name: who.name,
          role: who.role,
          employeeId: who.id,
          passwordHash: await hashPassword(password),
        });
      } catch (error) {
        // Another replica, started at the same moment, is adding them.
        if (sharedDatabase && error instanceof PersonExistsError) return { elsewhere: true };
        throw error;
      }
      people.push({ username: who.clientId, role: who.role, password });
    }
    result = { people, origin: 'created' };
  } else {
    if (sharedDatabase) return (await store.find(DEMO_IDENTITIES[0].clientId)) ? { elsewhere: true } : undefined;
    const people: DemoPerson[] = [];
    for (const who of DEMO_IDENTITIES) {
      const person = await store.find(who.clientId);
      if (!person || person.disabledAt) continue;
      const password = generatePassword();
      await store.setPasswordHash(who.clientId, await hashPassword(password));
      people.push({ username: who.clientId, role: person.role, password });
    }
    if (people.length === 0) return undefined; // the operator's own people: leave them be
    result = { people, origin: 'reissued' };
  }
  writeSecretFile(file, { people: Object.fromEntries(result.people.map((p) => [p.username, { password: p.password, job_role: p.role }])) });
  return result;
}
