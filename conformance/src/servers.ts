/**
 * The five MCP servers of the workspace, each started as `pnpm dev` would start it (a real process
 * under tsx from its sources, on a free loopback port, on a fresh DATA_DIR) together with one valid
 * credential for it, sent as the header a real client would send:
 *
 * - apikey-server: the dev-mode demo API key, as X-API-Key;
 * - jwt-server: an HS256 access token from its own POST /token (client credentials of the dev-mode
 *   demo client), as a Bearer token;
 * - hr-server, project-server, crm-server: an RS256 token signed with a freshly generated issuer key
 *   (the server pins its public half), for a Manager (the role that may use every tool of every
 *   server, so the suite sees each server's whole surface), as a Bearer token.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRs256TokenIssuer, loadKeySet, writeKeyPair } from '@mcp-auth/auth';
import { freePort, type LaunchedProcess, launchApp, untilOutput } from '@mcp-auth/mcp-fastify/testing';

export const SERVER_NAMES = ['apikey-server', 'jwt-server', 'hr-server', 'project-server', 'crm-server'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

export interface RunningServer {
  readonly name: ServerName;
  /** Origin the server listens on, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** The credential header a client of this server sends: lower-case name and value. */
  readonly credential: readonly [name: string, value: string];
  /** Process id of the server's Node process. */
  readonly pid: number | undefined;
  /** Everything the process printed so far (stdout, then stderr), for a failure report. */
  output(): string;
  stop(): Promise<void>;
}

const appsDir = join(import.meta.dirname, '..', '..', 'apps');

/** Starts `name` with its data under `workDir` (a fresh folder the caller removes). */
export async function startServer(name: ServerName, workDir: string): Promise<RunningServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = join(workDir, 'data');
  const base = { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', NODE_ENV: 'development' };
  switch (name) {
    case 'apikey-server': {
      const run = await launch(name, base);
      const { api_key } = readJson<{ api_key: string }>(join(dataDir, 'demo-credentials.json'));
      return running(name, url, ['x-api-key', api_key], run);
    }
    case 'jwt-server': {
      const run = await launch(name, { ...base, JWT_SECRET: '', JWT_SECRET_FILE: '' });
      const { client_id, client_secret } = readJson<{ client_id: string; client_secret: string }>(join(dataDir, 'demo-credentials.json'));
      return running(name, url, ['authorization', `Bearer ${await clientCredentialsToken(url, client_id, client_secret)}`], run);
    }
    default: {
      const keysDir = join(workDir, 'issuer-keys');
      mkdirSync(workDir, { recursive: true });
      writeKeyPair(keysDir);
      const run = await launch(name, { ...base, PUBLIC_KEY_FILE: join(keysDir, 'public.pem') });
      return running(name, url, ['authorization', `Bearer ${await managerToken(keysDir)}`], run);
    }
  }
}

async function launch(name: ServerName, env: Record<string, string>): Promise<LaunchedProcess> {
  const run = launchApp(join(appsDir, name), env);
  try {
    await untilOutput(run, `${name} listening`);
  } catch (error) {
    await stopProcess(run);
    throw new Error(`${name} did not start: ${(error as Error).message}`);
  }
  return run;
}

function running(name: ServerName, url: string, credential: readonly [string, string], run: LaunchedProcess): RunningServer {
  return { name, url, credential, pid: run.child.pid, output: () => run.out() + run.err(), stop: () => stopProcess(run) };
}

/** SIGTERM (the server drains and exits), SIGKILL if it has not gone within 15 s. */
async function stopProcess(run: LaunchedProcess): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill('SIGTERM');
  const killer = setTimeout(() => run.child.kill('SIGKILL'), 15_000);
  await run.exited;
  clearTimeout(killer);
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

async function clientCredentialsToken(url: string, clientId: string, clientSecret: string): Promise<string> {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  if (!res.ok) throw new Error(`jwt-server refused the demo client's token request: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A token as the issuer signs it for a Manager (iss and aud are the servers' defaults). */
async function managerToken(keysDir: string): Promise<string> {
  const keys = loadKeySet(keysDir);
  const { token } = await createRs256TokenIssuer({
    keys: { current: () => keys.signing },
    issuer: 'http://127.0.0.1:8000',
    ttlSeconds: 3600,
  }).issue({
    subject: 'conformance',
    audience: 'my-mcp-server',
    scope: 'mcp',
    claims: { job_role: 'Manager', id: 'EMP-001' },
  });
  return token;
}
