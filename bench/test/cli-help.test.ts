// --help and -h print usage and exit 0 for every command line in the checkout, before reading any
// setting or file: with a broken setting (PORT=not-a-port) and folders that do not exist, nothing is
// created and nothing starts (`pnpm bench --help` used to start the 8-minute benchmark).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
const scratch = mkdtempSync(join(tmpdir(), 'cli-help-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const COMMANDS: Array<[string, string, string[], string]> = [
  ['pnpm bench', 'bench/src/bench/main.ts', [], 'Usage: pnpm bench'],
  ['pnpm compare', 'bench/src/compare/main.ts', [], 'Usage: pnpm compare'],
  ['pnpm agent', 'apps/agent/src/main.ts', [], 'Usage: pnpm agent'],
  ['pnpm token', 'apps/issuer/src/token-cli.ts', [], 'Usage: pnpm token'],
  ['pnpm keys:generate', 'apps/issuer/src/keys-cli.ts', ['generate'], 'Usage: pnpm keys:generate'],
  ['pnpm keys:rotate', 'apps/issuer/src/keys-cli.ts', ['rotate'], 'pnpm keys:rotate'],
  ['apikey-server keys', 'apps/apikey-server/src/keys-cli.ts', ['create'], 'Usage: pnpm --filter apikey-server keys'],
  ['jwt-server clients', 'apps/jwt-server/src/clients-cli.ts', [], 'Usage: pnpm --filter jwt-server clients'],
  ['issuer clients', 'apps/issuer/src/clients-cli.ts', ['revoke', 'alice'], 'Usage: pnpm --filter issuer clients'],
];

// --help for all, -h for one command of each kind (bench's own parseArgs, the agent's, the shared
// runCommandLine): each run is a process start, one after the other on a shared machine.
const SHORT = new Set(['pnpm bench', 'pnpm agent', 'jwt-server clients']);
const RUNS = COMMANDS.flatMap(([name, entry, args, usage]) =>
  (SHORT.has(name) ? ['--help', '-h'] : ['--help']).map((flag) => [`${name} ${flag}`, entry, [...args, flag], usage] as const),
);

it.each(RUNS)('%s prints usage and exits 0', async (_name, entry, args, usage) => {
  const nowhere = join(scratch, `nowhere-${Math.random().toString(36).slice(2)}`);
  const { stdout } = await promisify(execFile)(tsx, ['--conditions=mcp-auth-source', join(ROOT, entry), ...args], {
    cwd: join(ROOT, entry.split('/src/')[0] as string),
    env: { ...process.env, PORT: 'not-a-port', DATA_DIR: nowhere, MCP_AUTH_DIR: nowhere, DUR: '1', ROUNDS: '1' },
    timeout: 30_000,
  });
  expect(stdout).toContain(usage);
  expect(existsSync(nowhere)).toBe(false);
});
