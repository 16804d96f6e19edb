/**
 * A real method 3 deployment for the agent's tests: the issuer as a process (dev mode, so it writes
 * the demo credentials the agent reads), and the HR, project and CRM servers built with the kit on
 * free ports, trusting the issuer's JWKS, under a policy file whose URLs point at them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { DEFAULT_POLICY_PATH } from '@mcp-auth/auth';
import type { Database } from '@mcp-auth/database';
import { createLogger, createResourceServer, EnvReader, type FastifyInstance, readResourceServerConfig } from '@mcp-auth/mcp-fastify';
import { freePort, launchApp } from '@mcp-auth/mcp-fastify/testing';
import { createCrmTools, createHrTools, createProjectTools, openCrmData, openHrData, openProjectData } from '@mcp-auth/tools';
import { runAgent } from '../src/agent.js';

export { freePort };

const SERVERS = {
  'hr-server': { open: openHrData, tools: createHrTools },
  'project-server': { open: openProjectData, tools: createProjectTools },
  'crm-server': { open: openCrmData, tools: createCrmTools },
} as const;
export type ServerName = keyof typeof SERVERS;

export interface Deployment {
  dir: string;
  env: Record<string, string>;
  servers: Record<ServerName, { app: FastifyInstance; db: Database<unknown>; port: number }>;
  stop(name: ServerName): Promise<void>;
  close(): Promise<void>;
}

export async function deploy(options: { tokenTtlSeconds?: number } = {}): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-'));
  const issuerPort = await freePort();
  const ports = { 'hr-server': await freePort(), 'project-server': await freePort(), 'crm-server': await freePort() };
  const policy = JSON.parse(readFileSync(DEFAULT_POLICY_PATH, 'utf8')) as { servers: Record<string, { url: string }> };
  for (const [name, port] of Object.entries(ports)) (policy.servers[name] as { url: string }).url = `http://127.0.0.1:${port}`;
  const policyFile = join(dir, 'rbac.json');
  writeFileSync(policyFile, JSON.stringify(policy));
  const env = {
    MCP_AUTH_DIR: join(dir, 'mcp_auth'),
    ISSUER_URL: `http://127.0.0.1:${issuerPort}`,
    // The issuer's iss is its own URL, which the resource servers expect by default (ISSUER_URL).
    ISSUER: `http://127.0.0.1:${issuerPort}`,
    RBAC_POLICY_FILE: policyFile,
    JWT_CLOCK_TOLERANCE_SECONDS: '0',
  };

  const issuer = launchApp(join(import.meta.dirname, '..', '..', 'issuer'), {
    ...env,
    PORT: String(issuerPort),
    DATA_DIR: join(dir, 'issuer'),
    NODE_ENV: 'development',
    TOKEN_TTL_SECONDS: String(options.tokenTtlSeconds ?? 3600),
  });
  for (let waited = 0; !issuer.out().includes('demo identities created'); waited += 100) {
    if (waited > 45_000 || issuer.child.exitCode !== null) throw new Error(`issuer did not start:\n${issuer.out()}${issuer.err()}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
  const servers = {} as Deployment['servers'];
  for (const name of Object.keys(SERVERS) as ServerName[]) {
    const reader = new EnvReader({ ...env, PORT: String(ports[name]), DATA_DIR: join(dir, 'data'), JWKS_REFETCH_COOLDOWN_SECONDS: '0' });
    const config = readResourceServerConfig(reader, { port: ports[name], service: name });
    reader.finish();
    const db = await SERVERS[name].open(config.database);
    const app = await createResourceServer({ name, title: name, config, tools: SERVERS[name].tools(db), logger });
    await app.listen({ host: '127.0.0.1', port: ports[name] });
    servers[name] = { app, db, port: ports[name] };
  }
  const stopped = new Set<ServerName>();
  return {
    dir,
    env,
    servers,
    async stop(name) {
      stopped.add(name);
      await servers[name].app.close();
    },
    async close() {
      for (const name of Object.keys(servers) as ServerName[]) {
        if (!stopped.has(name)) await servers[name].app.close();
        await servers[name].db.close();
      }
      issuer.child.kill('SIGTERM');
      await issuer.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AgentRun {
  input: PassThrough;
  output: () => string;
  exit: Promise<number>;
}

/** Runs the agent in-process with a terminal-like input the test writes to. */
export function startAgent(argv: string[], options: { env: Record<string, string>; interactive?: boolean }): AgentRun {
  const input = new PassThrough();
  let text = '';
  const output = new Writable({
    write(chunk, _e, done) {
      text += String(chunk);
      done();
    },
  });
  const exit = runAgent(argv, { input, output, interactive: options.interactive ?? true, env: { ...options.env } });
  return { input, output: () => text, exit };
}

export function writeScript(dir: string, lines: string[]): string {
  const file = join(dir, `script-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
