/**
 * Starts the real issuer (temporary key folder, in-memory database, demo identities) and, beside it,
 * a resource server built with the server kit that verifies the issuer's tokens from its JWKS, the way
 * the HR, project and CRM servers do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createJwksClient, createKeyRing, createRs256Verifier, openClientStore, openRevocationList, writeKeyPair } from '@mcp-auth/auth';
import { openStore } from '@mcp-auth/database';
import { createLogger, createMcpApp, type FastifyInstance } from '@mcp-auth/mcp-fastify';
import { freePort } from '@mcp-auth/mcp-fastify/testing';
import { getTimeTool } from '@mcp-auth/tools';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { ensureDemoIdentities } from '../src/demo-identities.js';
import type { IssuerTables } from '../src/issuer-tables.js';
import { hashPassword } from '../src/people/password-hash.js';
import { openSignInDeps } from '../src/sign-in-deps.js';

export { freePort };

function capture() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _e, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), logs: () => chunks.join('') };
}

export interface IssuerHarness {
  app: FastifyInstance;
  url: string;
  keyDir: string;
  secrets: Record<string, string>;
  otherResource: string;
  /** The resource servers tokens may be asked for (RESOURCE_SERVERS). */
  resources: readonly string[];
  /** Adds a person who can sign in at the login page. */
  addPerson(person: { username: string; password: string; role: string; id?: string }): Promise<void>;
  disablePerson(username: string): Promise<boolean>;
  logs: () => string;
  close: () => Promise<void>;
}

export async function startIssuer(
  env: Record<string, string> = {},
  keyDir = mkdtempSync(join(tmpdir(), 'mcp-auth-')),
): Promise<IssuerHarness> {
  writeKeyPairIfMissing(keyDir);
  const port = await freePort();
  const rsPort = Number(env.RS_PORT ?? 0);
  const otherResource = 'http://127.0.0.1:8002/';
  const config = loadConfig({
    PORT: String(port),
    DATA_DIR: '/nonexistent',
    MCP_AUTH_DIR: keyDir,
    RESOURCE_SERVERS: [rsPort ? `http://127.0.0.1:${rsPort}/` : 'http://127.0.0.1:8001/', otherResource].join(','),
    ...env,
  });
  const database = openStore<IssuerTables>({ kind: 'sqlite', path: ':memory:' });
  const clients = await openClientStore(database);
  const demo = await ensureDemoIdentities(clients, {
    production: false,
    file: join(keyDir, 'demo-credentials.json'),
    issuerUrl: config.publicUrl,
    sharedDatabase: false,
  });
  const secrets = Object.fromEntries((demo && 'identities' in demo ? demo.identities : []).map((c) => [c.clientId, c.secret]));
  const log = capture();
  const revocations = await openRevocationList(database);
  const signIn = await openSignInDeps(config, database, revocations);
  const app = await buildApp(config, {
    clients,
    keys: createKeyRing(keyDir, { checkIntervalMs: 50 }),
    revocations,
    logger: log.logger,
    signIn,
  });
  await app.listen({ host: '127.0.0.1', port });
  return {
    app,
    logs: log.logs,
    url: `http://127.0.0.1:${port}`,
    keyDir,
    secrets,
    otherResource,
    resources: config.resources,
    addPerson: async ({ username, password, role, id }) =>
      signIn.people.add({
        username,
        name: username,
        role,
        employeeId: id ?? `EMP-${username}`,
        passwordHash: await hashPassword(password),
      }),
    disablePerson: (username) => signIn.people.disable(username),
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

function writeKeyPairIfMissing(dir: string) {
  try {
    writeKeyPair(dir);
  } catch {
    // already there: a restarted issuer keeps its keys
  }
}

export function removeDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}

export interface ResourceServer {
  app: FastifyInstance;
  url: string;
  resource: string;
  jwksFetches: () => number;
  close: () => Promise<void>;
}

/** A kit server that trusts the issuer's JWKS and accepts `my-mcp-server` or its own resource URL. */
export async function startResourceServer(
  issuerUrl: string,
  options: { port?: number; cooldownMs?: number; maxAgeMs?: number } = {},
): Promise<ResourceServer> {
  const port = options.port ?? (await freePort());
  const resource = `http://127.0.0.1:${port}/`;
  let fetches = 0;
  const jwks = createJwksClient({
    url: `${issuerUrl}/.well-known/jwks.json`,
    cooldownMs: options.cooldownMs ?? 200,
    maxAgeMs: options.maxAgeMs ?? 600_000,
    fetch: (input, init) => {
      fetches++;
      return fetch(input, init);
    },
  });
  await jwks.prime();
  const app = await createMcpApp({
    serverInfo: { name: 'test-resource-server', version: '1' },
    tools: [getTimeTool],
    verifier: createRs256Verifier({ keys: { jwks }, issuer: issuerUrl, audiences: ['my-mcp-server', resource] }),
    challenge: { realm: 'test-resource-server' },
    origin: { allowedHosts: ['127.0.0.1', 'localhost'], allowedOrigins: [] },
    logger: capture().logger,
  });
  await app.listen({ host: '127.0.0.1', port });
  return { app, url: `http://127.0.0.1:${port}`, resource, jwksFetches: () => fetches, close: () => app.close() };
}

export async function clientToken(issuer: IssuerHarness, clientId: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${issuer.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${issuer.secrets[clientId]}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...extra }),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Calls get_time at a resource server; returns the status and the challenge. */
export async function callTool(server: ResourceServer, token: string): Promise<{ status: number; challenge: string | null }> {
  const res = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_time', arguments: {} } }),
  });
  await res.text();
  return { status: res.status, challenge: res.headers.get('www-authenticate') };
}

export function decode(token: string) {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h as string, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p as string, 'base64url').toString()),
  };
}
