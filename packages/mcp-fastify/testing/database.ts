/**
 * Test support for the database faults an operator meets: another process holding the write lock
 * (a second server, a long admin command), a folder or file this process may not write, and the
 * startup errors they must give. Exported under `@mcp-auth/mcp-fastify/testing` from source only.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@mcp-auth/auth';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, launchApp } from './process.js';

// libsql as the stores use it, for a lock holder that is a plain node process (no tsx start-up).
const libsqlPath = createRequire(join(import.meta.dirname, '..', '..', 'sqlite', 'package.json')).resolve('libsql');

export interface LockHolder {
  child: ChildProcess;
  /** Resolves when the holder has the write lock. */
  locked: Promise<void>;
  /** Resolves with the exit code once it has committed and exited. */
  exited: Promise<number | null>;
  /** Commits now; resolves with the exit code. */
  release: () => Promise<number | null>;
}

/**
 * Another process that takes the database's write lock (BEGIN IMMEDIATE, as a long admin write
 * would) and holds it for `ms`, or until `release()`, then commits and exits.
 */
export function holdWriteLock(dbPath: string, ms = 60_000): LockHolder {
  const script = `
    const Database = require(${JSON.stringify(libsqlPath)});
    const db = new Database(${JSON.stringify(dbPath)});
    db.pragma('busy_timeout = 10000');
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    const release = () => { db.exec('COMMIT'); db.close(); process.exit(0); };
    process.on('SIGTERM', release);
    setTimeout(release, ${ms});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => String(d).includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited (${code}) before locking`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    child,
    locked,
    exited,
    release: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Makes a folder or file read-only for this process, and returns how to undo it. Root ignores mode
 * bits, so as root the file is made immutable (`chattr +i`), which refuses writes to root too.
 */
export function makeReadOnly(path: string): () => void {
  if (process.getuid?.() !== 0) {
    const mode = statSync(path).mode & 0o777;
    chmodSync(path, statSync(path).isDirectory() ? 0o555 : 0o444);
    return () => chmodSync(path, mode);
  }
  execFileSync('chattr', ['+i', path]);
  return () => execFileSync('chattr', ['-i', path]);
}

/**
 * The startup errors of an app whose database lives in DATA_DIR (`dbFile`): a DATA_DIR that is a
 * file, a read-only DATA_DIR, a read-only database file and a damaged one each give one plain
 * sentence naming the path and what to do, exit code 1 and no stack trace.
 */
export function describeDatabaseStartupErrors(name: string, appDir: string, dbFile: string, env: Record<string, string> = {}): void {
  // concurrent: each case is one process start, and they are independent
  describe.concurrent(`${name} with a database it cannot use`, () => {
    const dir = mkdtempSync(join(tmpdir(), `${name}-db-`));
    const undo: Array<() => void> = [];
    afterAll(() => {
      for (const u of undo.splice(0)) u();
      rmSync(dir, { recursive: true, force: true });
    });
    const startWith = async (dataDir: string) => {
      const run = launchApp(appDir, { ...env, DATA_DIR: dataDir, PORT: String(await freePort()) });
      const code = await run.exited;
      return { code, err: run.err() };
    };
    const expectOneSentence = (result: { code: number | null; err: string }, sentence: string) => {
      expect(result.code).toBe(1);
      expect(result.err).toContain(`${name}: ${sentence}`);
      expect(result.err).not.toContain('    at ');
      expect(result.err.trim().split('\n')).toHaveLength(1);
    };

    it('DATA_DIR is a file', async () => {
      const file = join(dir, 'not-a-folder');
      writeFileSync(file, '');
      expectOneSentence(
        await startWith(file),
        `The data folder ${file} (DATA_DIR) is a file, not a folder: point DATA_DIR at a folder (it is created if missing).`,
      );
    });

    it('DATA_DIR is read-only', async () => {
      const folder = join(dir, 'read-only');
      mkdirSync(folder);
      undo.push(makeReadOnly(folder));
      expectOneSentence(
        await startWith(folder),
        `The database ${join(folder, dbFile)} cannot be opened or created: make its folder ${folder} (DATA_DIR) writable for this user, or point DATA_DIR elsewhere.`,
      );
    });

    it('the database file is read-only', async () => {
      const folder = join(dir, 'read-only-file');
      const path = join(folder, dbFile);
      openDatabase(path).close();
      undo.push(makeReadOnly(path));
      expectOneSentence(
        await startWith(folder),
        `The database ${path} is read-only: make it (and its folder ${folder}, DATA_DIR) writable for this user, or point DATA_DIR elsewhere.`,
      );
    });

    it('the database file is damaged', async () => {
      const folder = join(dir, 'damaged');
      mkdirSync(folder);
      writeFileSync(join(folder, dbFile), Buffer.alloc(8192, 0x5a));
      expectOneSentence(
        await startWith(folder),
        `The database ${join(folder, dbFile)} is damaged or not a SQLite database: restore it from a backup, or move it away to start with an empty one.`,
      );
    });
  });
}
