/**
 * Starts the real jwt-server app on a free 127.0.0.1 port with an in-memory database, a known signing
 * secret, a registered client and a log capture.
 */
import { Writable } from 'node:stream';
import {
  type ClientTables,
  createClient,
  type OAuthClientStore,
  openClientStore,
  openRevocationList,
  type RevocationTables,
} from '@mcp-auth/auth';
import { openStore } from '@mcp-auth/database';
import { createLogger, type FastifyInstance } from '@mcp-auth/mcp-fastify';
import { freePort } from '@mcp-auth/mcp-fastify/testing';
import { createSigner } from 'fast-jwt';
import { buildApp } from '../src/app.js';
import { type JwtServerConfig, loadConfig } from '../src/config.js';

export const SECRET = 'test-secret-4b1d0c9e7a2f6358e0c1b2a3d4e5f60718293a4b';

export interface Harness {
  app: FastifyInstance;
  base: URL;
  issuer: string;
  resource: string;
  config: JwtServerConfig;
  clients: OAuthClientStore;
  clientId: string;
  clientSecret: string;
  logs: () => string;
  close: () => Promise<void>;
}

export { freePort };

export async function startServer(env: Record<string, string> = {}): Promise<Harness> {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _e, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const port = await freePort();
  const config = loadConfig({ DATA_DIR: '/nonexistent', PORT: String(port), LOG_LEVEL: 'debug', ...env });
  const database = openStore<ClientTables & RevocationTables>({ kind: 'sqlite', path: ':memory:' });
  const clients = await openClientStore(database);
  const revocations = await openRevocationList(database);
  const { secret } = await createClient(clients, { clientId: 'agent-1', scopes: ['mcp'] });
  const app = await buildApp(config, { clients, revocations, secret: SECRET, logger: createLogger({ level: 'debug', destination }) });
  await app.listen({ host: '127.0.0.1', port });
  return {
    app,
    base: new URL(config.issuer),
    issuer: config.issuer,
    resource: config.resource,
    config,
    clients,
    clientId: 'agent-1',
    clientSecret: secret,
    logs: () => chunks.join(''),
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export function rpc(method: string, params: Record<string, unknown> = {}, id: number | string = 1) {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

export async function tokenFor(h: Harness, extra: Record<string, string> = {}): Promise<string> {
  const res = await fetch(new URL('/token', h.base), {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${h.clientId}:${h.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...extra }),
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Signs arbitrary claims the way an attacker or a misconfigured issuer might. */
export function forge(claims: Record<string, unknown>, options: { secret?: string; header?: Record<string, unknown> } = {}): string {
  const sign = createSigner({
    key: options.secret ?? SECRET,
    algorithm: 'HS256',
    header: { alg: 'HS256', typ: 'at+jwt', ...options.header },
  });
  return sign(claims);
}

export function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h as string, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p as string, 'base64url').toString()),
  };
}
