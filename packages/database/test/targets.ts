// The two places a store can live, for tests that run the same suite on both: a SQLite file in a
// temporary folder, and a schema of its own in a real PostgreSQL (from mcp-fastify's test services,
// skipped with the reason when the binary is missing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// By path: mcp-fastify's testing entry does not export services.ts, and a package dependency would
// become a cycle once packages/auth depends on this package (auth <- mcp-fastify).
import { missingService, startPostgres } from '../../mcp-fastify/testing/services.js';
import { type Database, type DatabaseSettings, databaseSettings, type OpenStoreOptions, openStore } from '../src/index.js';

export type RunningPostgres = Awaited<ReturnType<typeof startPostgres>>;

export interface Target {
  name: 'sqlite' | 'postgres';
  /** Why this target cannot run here, when it cannot. */
  missing: string | undefined;
  start(): Promise<void>;
  /** Settings for a fresh, empty place (a new file, a new schema). */
  fresh(): DatabaseSettings;
  stop(): Promise<void>;
}

let counter = 0;
const unique = () => `${process.pid}_${++counter}`;

export function sqliteTarget(): Target {
  let dir = '';
  return {
    name: 'sqlite',
    missing: undefined,
    start: async () => {
      dir = mkdtempSync(join(tmpdir(), 'database-'));
    },
    fresh: () => databaseSettings({}, { service: 'test', sqlitePath: join(dir, `${unique()}.db`) }),
    stop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function postgresTarget(): Target & { pg: () => RunningPostgres } {
  let pg: RunningPostgres | undefined;
  return {
    name: 'postgres',
    missing: missingService('postgres'),
    start: async () => {
      pg = await startPostgres();
    },
    fresh: () =>
      databaseSettings(
        { DATABASE_URL: (pg as RunningPostgres).url, DATABASE_SCHEMA: `t_${unique()}` },
        { service: 'test', sqlitePath: '' },
      ),
    stop: async () => pg?.close(),
    pg: () => pg as RunningPostgres,
  };
}

/** Opens stores and closes them after the test. */
export function storeTracker() {
  const open: Database<unknown>[] = [];
  return {
    open<DB>(settings: DatabaseSettings, options?: OpenStoreOptions): Database<DB> {
      const store = openStore<DB>(settings, options);
      open.push(store as Database<unknown>);
      return store;
    },
    closeAll: async () => {
      for (const store of open.splice(0)) await store.close();
    },
  };
}
