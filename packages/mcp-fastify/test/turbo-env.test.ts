// `pnpm dev` runs the apps through turbo, which passes a task only the variables it declares (strict
// env mode): every variable in .env.example must be declared for `dev` and `start`, and one set in the
// shell must really arrive in the app.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const documented = [...readFileSync(join(root, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string);
const turbo = JSON.parse(readFileSync(join(root, 'turbo.json'), 'utf8')) as { tasks: Record<string, { passThroughEnv?: string[] }> };

it.each(['dev', 'start'])('turbo passes every variable of .env.example, and only those, to `%s`', (task) => {
  expect([...new Set(documented)].sort()).toEqual([...(turbo.tasks[task]?.passThroughEnv ?? [])].sort());
  expect(documented).toContain('DATA_DIR');
});

it('DATA_DIR=... turbo run dev reaches the app', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'turbo-env-'));
  // Its own process group, so that turbo, pnpm, tsx watch and the server all end together.
  const child = spawn(join(root, 'node_modules', '.bin', 'turbo'), ['run', 'dev', '--filter=apikey-server', '--ui=stream'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await expect.poll(() => out, { timeout: 50_000, interval: 200 }).toContain('apikey-server listening');
    expect(out).toContain(`"keys":"${join(dataDir, 'apikey-server.db')}"`);
    expect(existsSync(join(dataDir, 'apikey-server.db'))).toBe(true);
  } finally {
    process.kill(-(child.pid as number), 'SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 60_000);
