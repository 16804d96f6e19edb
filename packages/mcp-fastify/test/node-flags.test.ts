// The V8 heap settings the servers ship with (README, "Memory") must reach every way a server runs:
// the Dockerfile's ENTRYPOINT, each server's `dev` and `start` scripts, and the bench's launcher, so
// that what the bench measures is what users run. And they must still take effect on this Node.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

function dockerfileFlags(): string[] {
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
  const argv = JSON.parse(entrypoint ?? '[]') as string[];
  expect(argv[0]).toBe('node');
  expect(argv.at(-1)).toBe('dist/main.js');
  return argv.slice(1, -1);
}

const flags = dockerfileFlags();
const servers = readdirSync(join(root, 'apps')).filter((app) => {
  const scripts = JSON.parse(readFileSync(join(root, 'apps', app, 'package.json'), 'utf8')).scripts as Record<string, string>;
  return scripts.dev !== undefined;
});

/** Size of the young generation after allocating 200 MB of short-lived objects under `nodeFlags`. */
function youngGenerationMb(nodeFlags: string[]): number {
  const script = `
    let keep = [];
    for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 1000) keep = []; }
    const young = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(young.space_size / 1048576);`;
  return Number(execFileSync(process.execPath, [...nodeFlags, '-e', script], { encoding: 'utf8' }).trim());
}

describe('the servers’ V8 heap settings', () => {
  it('are the young-generation and old-space settings the README explains', () => {
    expect(flags).toEqual(['--max-semi-space-size=4', '--heap-growing-percent=100']);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(flags.join(' '));
  });

  it.each(['apikey-server', 'jwt-server', 'hr-server'])('%s is one of the servers checked below', (app) => {
    expect(servers).toContain(app);
  });

  it.each(servers)('%s: `dev` and `start` run with the Dockerfile’s settings', (app) => {
    const scripts = JSON.parse(readFileSync(join(root, 'apps', app, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.start).toBe(`node ${flags.join(' ')} dist/main.js`);
    expect(scripts.dev).toBe(`tsx watch ${flags.join(' ')} --conditions=mcp-auth-source src/main.ts`);
  });

  it('the bench launches every server with the same settings', () => {
    const launcher = readFileSync(join(root, 'bench', 'src', 'deploy', 'launch.ts'), 'utf8');
    const list = /export const SERVER_NODE_FLAGS = (\[[^\]]*\]);/.exec(launcher)?.[1];
    expect(JSON.parse((list ?? '[]').replaceAll("'", '"'))).toEqual(flags);
  });

  it('take effect: the young generation stays at two 4 MB semi-spaces, where the default lets it grow', () => {
    expect(youngGenerationMb(flags)).toBeLessThanOrEqual(8);
    expect(youngGenerationMb([])).toBeGreaterThan(8);
  });
});
