// A write that cannot get the database's lock in time is answered 503 with Retry-After, once, by the
// kit's error handler: RFC 7009 /revoke while another process (a second server, an admin command)
// held the write lock used to surface DatabaseBusyError as a 500. Nothing is written, and the same
// request succeeds once the lock is free.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClientTables, createClient, openClientStore, openRevocationList, type RevocationTables } from '@mcp-auth/auth';
import { openStore } from '@mcp-auth/database';
import { createLogger } from '@mcp-auth/mcp-fastify';
import { freePort, holdWriteLock } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { SECRET } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'jwt-busy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('/revoke while another process holds the write lock: 503 with Retry-After, then 200 once it is free', async () => {
  const dbPath = join(dir, 'jwt-server.db');
  const port = await freePort();
  const config = loadConfig({ DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'silent' });
  const database = openStore<ClientTables & RevocationTables>({ kind: 'sqlite', path: dbPath }, { busyTimeoutMs: 200 });
  const clients = await openClientStore(database);
  const revocations = await openRevocationList(database);
  const { secret } = await createClient(clients, { clientId: 'agent-1', scopes: ['mcp'] });
  const app = await buildApp(config, { clients, revocations, secret: SECRET, logger: createLogger({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port });
  const base = `http://127.0.0.1:${port}`;
  const basic = `Basic ${Buffer.from(`agent-1:${secret}`).toString('base64')}`;
  const holder = holdWriteLock(dbPath);
  try {
    const tokenRes = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { authorization: basic },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(tokenRes.status).toBe(200);
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    await holder.locked;
    const revoke = () =>
      fetch(`${base}/revoke`, { method: 'POST', headers: { authorization: basic }, body: new URLSearchParams({ token }) });

    const busy = await revoke();
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(await busy.json()).toMatchObject({ error: 'temporarily_unavailable', error_description: expect.stringContaining('busy') });
    expect(revocations.size).toBe(0);

    await holder.release();
    expect((await revoke()).status).toBe(200);
    expect(revocations.size).toBe(1);
  } finally {
    await holder.release();
    await app.close();
    await database.close();
  }
}, 60_000);
