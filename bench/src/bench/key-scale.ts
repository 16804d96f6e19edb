/**
 * Does API-key verification cost the same with 1,000,000 keys stored as with 10? Both stores are real
 * SQLite files; the big one is filled with random hashes in one transaction.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey, createApiKeyVerifier, openSqliteApiKeyStore } from '@mcp-auth/auth';
import { openDatabase } from '@mcp-auth/sqlite';

async function perVerification(keyCount: number, dir: string): Promise<number> {
  const path = join(dir, `keys-${keyCount}.db`);
  const store = openSqliteApiKeyStore(path);
  const db = openDatabase(path);
  const insert = db.prepare('INSERT INTO api_keys (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < keyCount - 10; i++) insert.run(i.toString(36).padStart(16, '0'), 'filler', randomBytes(32), Date.now());
  })();
  db.close();
  const keys = Array.from({ length: 10 }, (_, i) => createApiKey(store, { name: `real-${i}` }).key);
  const verifier = createApiKeyVerifier({ store });
  const rounds = 50_000;
  for (let i = 0; i < 2000; i++) verifier.verify({ kind: 'api-key-header', key: keys[i % 10] as string });
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) verifier.verify({ kind: 'api-key-header', key: keys[i % 10] as string });
  const us = Number(process.hrtime.bigint() - start) / 1000 / rounds;
  store.close();
  return us;
}

export async function keyScale(): Promise<{ tenKeysUs: number; millionKeysUs: number; ratio: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'key-scale-'));
  try {
    const tenKeysUs = await perVerification(10, dir);
    const millionKeysUs = await perVerification(1_000_000, dir);
    return { tenKeysUs, millionKeysUs, ratio: millionKeysUs / tenKeysUs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
