/**
 * Starts a built app (`apps/<name>/dist/main.js`) as its own process on a free port with the given
 * environment, waits until it listens, and keeps what it printed (first-start banners name the demo
 * credentials). Stops it with SIGTERM, as an operator would.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@mcp-auth/mcp-fastify/testing';
import { type Placement, placedCommand } from './cpu-placement.js';

export { freePort };

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface Launched {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

function entry(app: string, file = 'main.js'): string {
  const path = join(ROOT, 'apps', app, 'dist', file);
  if (!existsSync(path))
    throw new Error(`apps/${app} is not built (${path} is missing): run this through the root script, which builds first`);
  return path;
}

/**
 * The V8 heap settings every server ships with (the apps' `dev` and `start` scripts and the
 * Dockerfile's ENTRYPOINT carry the same list, which a test keeps equal): the bench runs a server
 * as its users run it. Why these: see "Memory" in the README.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=100'];

/** `placement`: the cores to start it on (the bench's and compare's measured runs); none: anywhere. */
export async function launch(app: string, env: Record<string, string>, label = app, placement?: Placement): Promise<Launched> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const started = await start([entry(app)], { ...env, PORT: String(port) }, label, placement, [port]);
  return { name: label, url: `http://127.0.0.1:${port}`, port, ...started };
}

/**
 * The app with auth and its auth-off twin (`twinEnv` on top of `env`) in one process (pair-host.mjs),
 * each on a port of its own. Both handles stop the one process.
 */
export async function launchPair(
  app: string,
  env: Record<string, string>,
  twinEnv: Record<string, string>,
  label = app,
  placement?: Placement,
): Promise<{ server: Launched; open: Launched }> {
  const [onPort, offPort] = [await freePort(), await freePort()];
  const pairEnv = {
    PAIR_ON: JSON.stringify({ ...env, PORT: String(onPort) }),
    PAIR_OFF: JSON.stringify({ ...env, ...twinEnv, PORT: String(offPort) }),
  };
  const started = await start([join(import.meta.dirname, 'pair-host.mjs'), entry(app)], pairEnv, label, placement, [onPort, offPort]);
  const handle = (name: string, port: number): Launched => ({ name, url: `http://127.0.0.1:${port}`, port, ...started });
  return { server: handle(`${label}, one process`, onPort), open: handle(`${label} (auth off), one process`, offPort) };
}

/** Spawns node with the server flags and `argv`, and waits until every port in `ports` answers /health. */
async function start(
  argv: string[],
  env: Record<string, string>,
  label: string,
  placement: Placement | undefined,
  ports: number[],
): Promise<Pick<Launched, 'child' | 'output' | 'stop'>> {
  const { file, args } = placedCommand(placement, 'server', process.execPath, [...SERVER_NODE_FLAGS, ...argv]);
  const child = spawn(file, args, {
    // Audit events are logged at info, as in production: their cost is part of what is measured.
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    // Keep the start-up banner; drop the rest so long runs do not grow memory.
    if (output.length < 64_000) output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`${label} did not start within 30 s:\n${output}`)), 30_000);
    const poll = setInterval(async () => {
      try {
        const answers = await Promise.all(ports.map((port) => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok)));
        if (answers.every(Boolean)) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve();
        }
      } catch {
        // not listening yet
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(deadline);
      reject(new Error(`${label} exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Runs one of an app's commands (keys, clients) to completion; returns its stdout. */
export async function command(app: string, file: string, args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [entry(app, file), ...args], { env: { ...process.env, ...env } });
  return stdout;
}
