/**
 * Test support for running apps as real processes: a free loopback port, and an app's `src/main.ts`
 * (or another entry) under tsx with its output captured. Exported under `@mcp-auth/mcp-fastify/testing`
 * from source only; never part of a build.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface LaunchedProcess {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

/** Runs `entry` of the app in `appDir` (with `args`) under tsx from TypeScript sources, environment on top of ours. */
export function launchApp(appDir: string, env: Record<string, string>, entry = 'src/main.ts', args: string[] = []): LaunchedProcess {
  const child = spawn(join(appDir, 'node_modules', '.bin', 'tsx'), ['--conditions=mcp-auth-source', entry, ...args], {
    cwd: appDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  return { child, out: () => out, err: () => err, exited: new Promise<number | null>((resolve) => child.on('exit', resolve)) };
}

/**
 * Resolves once `run` has printed `text` on stdout (e.g. "issuer listening"); rejects with its stderr
 * when it exits first or `timeoutMs` passes (45 s: a process start on a loaded 2-core machine).
 */
export async function untilOutput(run: LaunchedProcess, text: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.out().includes(text)) {
    if (run.child.exitCode !== null || run.child.signalCode !== null || Date.now() > deadline)
      throw new Error(
        `"${text}" did not appear (${run.child.exitCode !== null ? `exited ${run.child.exitCode}` : 'still running'}): ${run.err()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
