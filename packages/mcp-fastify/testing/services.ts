/**
 * PostgreSQL, Redis and nginx as real processes for tests: Debian's binaries, each in a temporary
 * folder of its own, listening on a free port on 127.0.0.1, never the system services the packages
 * install (those may or may not run; the ports here are free ones, so they never clash). Each can be
 * stopped, restarted on the same port with its data, or killed with a signal, which is what the
 * failure tests need ("PostgreSQL restarted mid-run", "Redis outage"). A test that needs a binary the
 * machine lacks is skipped with `missingService()`'s sentence; `.ci/run` installs all three.
 *
 * PG_BINDIR, REDIS_SERVER and NGINX override where the binaries are (test knobs, not user settings).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process.js';

export interface RunningService {
  /** How a client reaches it: postgres://…, redis://…, http://… */
  url: string;
  port: number;
  /** The process now running (a restart starts a new one). */
  pid: () => number;
  /** Its folder: data, sockets, configuration, logs. */
  dir: string;
  /** What it printed so far (the current process and the ones before it). */
  output: () => string;
  /** Stops the process the way an operator would (a fast shutdown) and waits for it; keeps the data. */
  stop: () => Promise<void>;
  /** Starts it again on the same port with the same data, after stop() or kill(). */
  restart: () => Promise<void>;
  /** Sends a signal: SIGKILL is a crash, SIGSTOP a hung server (SIGCONT resumes it). */
  kill: (signal: NodeJS.Signals) => void;
  /** Stops it and removes its folder. */
  close: () => Promise<void>;
}

type Binaries = { postgres: string; initdb: string; psql: string };

/** Debian keeps PostgreSQL's server binaries off PATH, in /usr/lib/postgresql/<major>/bin. */
function postgresBinaries(): Binaries | undefined {
  const candidates = [
    process.env.PG_BINDIR,
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort((a, b) => Number(b) - Number(a))
          .map((major) => `/usr/lib/postgresql/${major}/bin`)
      : []),
  ];
  for (const dir of candidates) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')))
      return { postgres: join(dir, 'postgres'), initdb: join(dir, 'initdb'), psql: join(dir, 'psql') };
  }
  return undefined;
}

function onPath(name: string, override: string | undefined): string | undefined {
  if (override) return existsSync(override) ? override : undefined;
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/sbin', '/usr/bin'))
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

const binaries = {
  postgres: () => postgresBinaries(),
  redis: () => onPath('redis-server', process.env.REDIS_SERVER),
  nginx: () => onPath('nginx', process.env.NGINX),
};

/** Why a test of this service cannot run here, or undefined when it can. */
export function missingService(name: keyof typeof binaries): string | undefined {
  if (binaries[name]()) return undefined;
  const pkg = { postgres: 'postgresql', redis: 'redis-server', nginx: 'nginx' }[name];
  return `${name} is not installed (Debian package ${pkg}; .ci/run installs it)`;
}

/** Resolves once 127.0.0.1:port accepts a TCP connection. */
async function untilListening(port: number, child: ChildProcess, output: () => string, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited before listening:\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within 30 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One service: a command that runs in the foreground, started, restarted and stopped by these helpers. */
async function runService(options: {
  what: string;
  url: string;
  port: number;
  dir: string;
  command: string;
  args: string[];
  /** The signal of a clean, fast shutdown for this server. */
  stopSignal: NodeJS.Signals;
  /** Ready when this line appears (or the port listens, when absent). */
  readyLine?: string;
  spawnAs?: { uid: number; gid: number };
  /**
   * A line by which the server refuses to start because the instance before it has not finished
   * going away (after a SIGKILL its children outlive it for a moment): start again shortly.
   */
  previousStillGoing?: string;
}): Promise<RunningService> {
  let log = '';
  let child: ChildProcess;
  const startOnce = async () => {
    child = spawn(options.command, options.args, {
      cwd: options.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.spawnAs ?? {}),
    });
    const mark = log.length;
    const collect = (chunk: Buffer) => {
      if (log.length < 1_000_000) log += chunk;
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    await untilListening(options.port, child, () => log, options.what);
    if (options.readyLine) {
      const deadline = Date.now() + 30_000;
      while (!log.slice(mark).includes(options.readyLine)) {
        if (Date.now() > deadline) throw new Error(`${options.what} never said "${options.readyLine}":\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  };
  const start = async () => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const mark = log.length;
      try {
        return await startOnce();
      } catch (error) {
        const refusedForPrevious = options.previousStillGoing !== undefined && log.slice(mark).includes(options.previousStillGoing);
        if (!refusedForPrevious || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const exited = () =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT'); // a stopped process cannot act on the shutdown signal
    child.kill(options.stopSignal);
    await exited();
  };
  await start();
  return {
    url: options.url,
    port: options.port,
    dir: options.dir,
    pid: () => child.pid as number,
    output: () => log,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    kill: (signal) => {
      child.kill(signal);
    },
    close: async () => {
      await stop();
      rmSync(options.dir, { recursive: true, force: true });
    },
  };
}

/**
 * A PostgreSQL cluster of its own: `initdb` with a superuser `mcp` trusted on loopback (a test
 * cluster, reachable only from this machine), fsync left on (the durability tests depend on it).
 * initdb and postgres refuse to run as root, so as root they run as the `postgres` user that Debian's
 * package creates, in a folder owned by it.
 */
export async function startPostgres(): Promise<RunningService & { database: string; psql: (sql: string) => string }> {
  const bin = postgresBinaries();
  if (!bin) throw new Error(missingService('postgres'));
  const dir = mkdtempSync(join(tmpdir(), 'pg-'));
  let spawnAs: { uid: number; gid: number } | undefined;
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    spawnAs = { uid, gid };
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  execFileSync(bin.initdb, ['-D', data, '-A', 'trust', '-U', 'mcp', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
    ...(spawnAs ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await freePort();
  const database = 'postgres';
  const service = await runService({
    what: 'postgres',
    url: `postgres://mcp@127.0.0.1:${port}/${database}`,
    port,
    dir,
    command: bin.postgres,
    // The socket goes in the test's folder, not /var/run/postgresql (which a non-root user cannot use).
    args: ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'logging_collector=off'],
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    stopSignal: 'SIGINT',
    readyLine: 'database system is ready to accept connections',
    // After a SIGKILL the old postmaster's children hold its shared memory until they notice it died.
    previousStillGoing: 'pre-existing shared memory block',
    ...(spawnAs ? { spawnAs } : {}),
  });
  return {
    ...service,
    database,
    psql: (sql) =>
      execFileSync(
        bin.psql,
        ['-h', '127.0.0.1', '-p', String(port), '-U', 'mcp', '-d', database, '-XAtq', '-v', 'ON_ERROR_STOP=1', '-c', sql],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ).trim(),
  };
}

/** A Redis of its own: no snapshots, no append-only file, loopback only. */
export async function startRedis(): Promise<RunningService> {
  const command = binaries.redis();
  if (!command) throw new Error(missingService('redis'));
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  const port = await freePort();
  return runService({
    what: 'redis-server',
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    command,
    args: [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--logfile',
      '',
    ],
    stopSignal: 'SIGTERM',
    readyLine: 'Ready to accept connections',
  });
}

/**
 * nginx in the foreground with a configuration of the test's: `http` is the inside of the http block
 * (upstreams and a server listening on the port given). Every path nginx writes to is in the test's
 * folder: Debian compiles its temp paths to /var/lib/nginx and its log to /var/log/nginx.
 */
export async function startNginx(http: (port: number) => string): Promise<RunningService> {
  const command = binaries.nginx();
  if (!command) throw new Error(missingService('nginx'));
  const dir = mkdtempSync(join(tmpdir(), 'nginx-'));
  const port = await freePort();
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, temp));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `# Written by a test. As root, workers would run as nobody and could not use this folder.
${userInfo().uid === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
${http(port)}
}
`,
  );
  return runService({
    what: 'nginx',
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    command,
    // -e: the error log before the configuration is read, which would otherwise be /var/log/nginx/error.log.
    args: ['-p', dir, '-c', conf, '-e', 'stderr'],
    // SIGTERM is nginx's fast shutdown (SIGQUIT the graceful one, which waits for open connections).
    stopSignal: 'SIGTERM',
  });
}
