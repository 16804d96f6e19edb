/**
 * Test support for running apps as real processes: a free loopback port, and an app's `src/main.ts`
 * (or another entry) under tsx with its output captured. Exported under `@mcp-auth/mcp-fastify/testing`
 * from source only; never part of a build.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** The processes started by `pid`, and theirs, from /proc (Linux). */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/**
 * A crash: SIGKILL to the app's own process, not only to tsx in front of it (tsx passes SIGTERM and
 * SIGINT on, but nothing can pass SIGKILL on, and the server would go on serving). Resolves once the
 * app's process is gone.
 */
export async function crash(run: LaunchedProcess): Promise<void> {
  const pid = run.child.pid;
  if (pid === undefined) throw new Error('the process never started');
  const victims = descendantsOf(pid);
  if (victims.length === 0) throw new Error(`process ${pid} has no child: is it an app under tsx?`);
  for (const victim of victims.reverse()) process.kill(victim, 'SIGKILL');
  run.child.kill('SIGKILL');
  await run.exited;
  for (const victim of victims)
    while (existsSync(`/proc/${victim}`) && !readFileSync(`/proc/${victim}/stat`, 'utf8').includes(') Z '))
      await new Promise((r) => setTimeout(r, 20));
}

/** Runs a command of the app (`src/keys-cli.ts create ...`) to its end: its stdout, or an error with its stderr. */
export async function runToEnd(appDir: string, env: Record<string, string>, entry: string, args: string[] = []): Promise<string> {
  const run = launchApp(appDir, env, entry, args);
  const code = await run.exited;
  if (code !== 0) throw new Error(`${entry} ${args.join(' ')} exited ${code}: ${run.err()}`);
  return run.out();
}

export interface Replicas {
  runs: LaunchedProcess[];
  ports: number[];
  /** `http://127.0.0.1:<port>` of each replica, in the order of `runs`. */
  urls: string[];
}

/**
 * Starts `count` copies of the app at once (replicas race at start-up, and that is what the tests of
 * migrations and seeding need), each on a free loopback port given as PORT over `env(i, urls)` (the
 * replicas' addresses, known before they start: one may be the PUBLIC_URL of all); resolves once every
 * one has printed `ready` (e.g. "hr-server listening").
 */
export async function launchReplicas(
  appDir: string,
  count: number,
  env: (i: number, urls: string[]) => Record<string, string>,
  ready: string,
): Promise<Replicas> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const runs = ports.map((port, i) => launchApp(appDir, { ...env(i, urls), PORT: String(port) }));
  await Promise.all(runs.map((run) => untilOutput(run, ready)));
  return { runs, ports, urls };
}

/** SIGTERM to each app, resolved once all have exited. */
export async function stopApps(runs: LaunchedProcess[]): Promise<void> {
  for (const run of runs) run.child.kill('SIGTERM');
  await Promise.all(runs.map((run) => run.exited));
}
