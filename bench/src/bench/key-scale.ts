/**
 * Does API-key verification cost the same with 1,000,000 keys stored as with 10? Both stores are real
 * SQLite files; the big one is filled with random hashes in one transaction. Two paths are timed:
 * a verification as a request pays it (the verifier keeps known records in memory), and the store's
 * primary-key lookup a verification makes when the record is not in memory yet. Each call is
 * awaited, as the auth hook does when a verifier answers with a promise, so both figures include that
 * turn. Runs alternate between the two stores and the medians are compared, so a slower moment of the
 * machine falls on both.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApiKeyStore,
  type ApiKeyTables,
  createApiKey,
  createApiKeyVerifier,
  openApiKeyStore,
  parseApiKey,
  type Verifier,
} from '@mcp-auth/auth';
import { databaseSettings, openStore } from '@mcp-auth/database';
import { openDatabase } from '@mcp-auth/sqlite';

interface Subject {
  store: ApiKeyStore;
  verifier: Verifier;
  keys: string[];
  ids: string[];
}

async function fill(keyCount: number, dir: string): Promise<Subject> {
  const path = join(dir, `keys-${keyCount}.db`);
  const store = await openApiKeyStore(openStore<ApiKeyTables>(databaseSettings({}, { service: 'bench', sqlitePath: path })));
  const db = openDatabase(path);
  const insert = db.prepare('INSERT INTO api_keys (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < keyCount - 10; i++) insert.run(i.toString(36).padStart(16, '0'), 'filler', randomBytes(32), Date.now());
  })();
  db.close();
  const keys: string[] = [];
  for (let i = 0; i < 10; i++) keys.push((await createApiKey(store, { name: `real-${i}` })).key);
  return { store, verifier: createApiKeyVerifier({ store }), keys, ids: keys.map((k) => parseApiKey(k)?.id as string) };
}

async function microsPer(count: number, run: (i: number) => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await run(i);
  return Number(process.hrtime.bigint() - start) / 1000 / count;
}

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export interface KeyScale {
  tenKeysUs: number;
  millionKeysUs: number;
  ratio: number;
  /** The uncached path: one SQLite primary-key lookup. */
  lookup: { tenKeysUs: number; millionKeysUs: number };
}

export async function keyScale(rounds = 7): Promise<KeyScale> {
  const dir = mkdtempSync(join(tmpdir(), 'key-scale-'));
  const subjects = [await fill(10, dir), await fill(1_000_000, dir)] as const;
  try {
    // A verification from memory takes well under a microsecond: runs of 20,000 lasted a few
    // milliseconds and a collector pause moved their ratio from 0.6x to 1.6x. 500,000 last long enough.
    const verify = (s: Subject) => microsPer(500_000, (i) => s.verifier.verify({ kind: 'api-key-header', key: s.keys[i % 10] as string }));
    const lookup = (s: Subject) => microsPer(20_000, (i) => s.store.findById(s.ids[i % 10] as string));
    for (const s of subjects) {
      await verify(s); // warm-up: JIT, the verifier's cache, SQLite's page cache
      await lookup(s);
    }
    const timings = subjects.map(() => ({ verify: [] as number[], lookup: [] as number[] }));
    for (let round = 0; round < rounds; round++) {
      for (const [i, s] of subjects.entries()) {
        timings[i]?.verify.push(await verify(s));
        timings[i]?.lookup.push(await lookup(s));
      }
    }
    const [ten, million] = timings.map((t) => ({ verify: median(t.verify), lookup: median(t.lookup) })) as [
      { verify: number; lookup: number },
      { verify: number; lookup: number },
    ];
    return {
      tenKeysUs: ten.verify,
      millionKeysUs: million.verify,
      ratio: million.verify / ten.verify,
      lookup: { tenKeysUs: ten.lookup, millionKeysUs: million.lookup },
    };
  } finally {
    for (const s of subjects) await s.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
