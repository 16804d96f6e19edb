/**
 * Starts the real apikey-server app on 127.0.0.1:0 with an in-memory key store and a log capture, so
 * tests drive it over HTTP exactly as a client would.
 */
import { Writable } from 'node:stream';
import { type ApiKeyStore, type ApiKeyTables, createApiKey, openApiKeyStore } from '@mcp-auth/auth';
import { databaseSettings, openStore } from '@mcp-auth/database';
import { createLogger, type FastifyInstance } from '@mcp-auth/mcp-fastify';
import { type ClientKind, type ConnectClientOptions, connectClient, type TestClient } from '@mcp-auth/mcp-fastify/testing';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

export interface Harness {
  app: FastifyInstance;
  base: URL;
  store: ApiKeyStore;
  key: string;
  keyId: string;
  logs: () => string;
  close: () => Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<Harness> {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({ DATA_DIR: '/nonexistent', LOG_LEVEL: 'debug', WEATHER_TIMEOUT_MS: '1000', ...env });
  const store = await openApiKeyStore(openStore<ApiKeyTables>(databaseSettings({}, { service: 'test', sqlitePath: ':memory:' })));
  const { key, record } = await createApiKey(store, { name: 'test' });
  const app = await buildApp(config, { store, logger: createLogger({ level: 'debug', destination }) });
  const base = new URL((await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1'));
  return {
    app,
    base,
    store,
    key,
    keyId: record.id,
    logs: () => chunks.join(''),
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** A client of `kind` (see @mcp-auth/mcp-fastify/testing) connected with `headers`. */
export function connect(
  base: URL,
  kind: ClientKind,
  headers: Record<string, string>,
  options: Omit<ConnectClientOptions, 'headers'> = {},
): Promise<TestClient> {
  return connectClient(kind, base, { ...options, headers });
}

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export function rpc(method: string, params: Record<string, unknown> = {}, id: number | string = 1) {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

export const INITIALIZE_PARAMS = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'fetch', version: '1' },
};

/** The text parts of a tool result, joined. */
export function textOf(result: object): string {
  return (((result as { content?: unknown }).content ?? []) as Array<{ type: string; text?: string }>)
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}
