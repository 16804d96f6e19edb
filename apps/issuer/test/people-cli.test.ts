// `pnpm --filter issuer people`: a person added gets a generated password printed once, stored only
// as an scrypt hash that verifies it; reset replaces it; disable refuses their sign-ins; bad usage is
// one line and exit code 1.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '@mcp-auth/database';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/people/password-hash.js';
import { openPeopleStore, type PeopleTables } from '../src/people/people-store.js';

const appDir = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'people-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function people(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      join(appDir, 'node_modules', '.bin', 'tsx'),
      ['--conditions=mcp-auth-source', 'src/people-cli.ts', ...args],
      {
        cwd: appDir,
        env: { ...process.env, DATA_DIR: dir, MCP_AUTH_DIR: join(dir, 'keys') },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const stored = async (username: string) => {
  const database = openStore<PeopleTables>({ kind: 'sqlite', path: join(dir, 'issuer.db') });
  try {
    return await (await openPeopleStore(database)).find(username);
  } finally {
    await database.close();
  }
};

describe('people command', () => {
  it('adds, resets and disables a person; the password is printed once and stored as a hash', async () => {
    const added = await people('add', 'erin', '--role', 'Manager', '--name', 'Erin', '--id', 'EMP-009');
    expect(added.code).toBe(0);
    const password = added.stdout.trimEnd().split('\n').at(-1) as string;
    const erin = await stored('erin');
    expect(erin).toMatchObject({ name: 'Erin', role: 'Manager', employeeId: 'EMP-009', disabledAt: null });
    expect(erin?.passwordHash.startsWith('scrypt$')).toBe(true);
    expect(erin?.passwordHash).not.toContain(password);
    expect(await verifyPassword(password, erin?.passwordHash)).toBe(true);

    const reset = await people('reset', 'erin');
    const next = reset.stdout.trimEnd().split('\n').at(-1) as string;
    expect(await verifyPassword(password, (await stored('erin'))?.passwordHash)).toBe(false);
    expect(await verifyPassword(next, (await stored('erin'))?.passwordHash)).toBe(true);

    expect((await people('disable', 'erin')).code).toBe(0);
    expect((await stored('erin'))?.disabledAt).toBeInstanceOf(Date);
    expect((await people('list')).stdout).toMatch(/erin\s+Erin\s+Manager\s+EMP-009\s+disabled/);
  });

  it('explains bad usage in one line with exit code 1', async () => {
    expect(await people('add', 'fay')).toMatchObject({ code: 1, stderr: expect.stringContaining('people: add needs --role <job_role>') });
    expect((await people('add', 'bad name', '--role', 'Employee')).stderr).toContain('a username is 1-64 letters');
    expect((await people('reset', 'nobody')).stderr).toBe('people: no person named nobody\n');
  });
});
