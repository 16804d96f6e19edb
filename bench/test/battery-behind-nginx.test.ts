// The rbac battery and the role matrix through a real nginx running the shipped configuration
// (deploy/nginx/mcp-auth.conf, with its compose service names pointed at the test's replicas), in
// front of three issuers and three hr-servers on one PostgreSQL and one Redis: every applicable attack
// is blocked, each role lists exactly the tools the policy gives it, and the routing is the one the
// file states (2026-07-28 requests spread over the replicas; the older eras stay on one, so their
// sessions work). A token revoked through the issuers is then refused by every hr-server replica,
// each asked directly. Skipped, saying why, where PostgreSQL, Redis or nginx is not installed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY_PATH, loadPolicy, writeKeyPair } from '@mcp-auth/auth';
import {
  freePort,
  type LaunchedProcess,
  launchApp,
  missingService,
  postMcp,
  type RunningService,
  startNginx,
  startPostgres,
  startRedis,
  stopApps,
  untilOutput,
} from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCookieSecret } from '../../apps/issuer/src/authorization-server/cookie-secret.js';
import { type Attack, clientToken, rbacBattery } from '../src/compare/battery.js';
import { MCP_HEADERS, modernToolCall, toolCall } from '../src/load.js';

const ROOT = join(import.meta.dirname, '..', '..');
const APPS = join(ROOT, 'apps');
const missing = missingService('postgres') ?? missingService('redis') ?? missingService('nginx');

let pg: RunningService;
let redis: RunningService;
let nginx: RunningService;
let dir: string;
const running: LaunchedProcess[] = [];
const hrReplicas: Array<{ run: LaunchedProcess; url: string }> = [];
let issuerUrl: string;
let hrUrl: string;
let keyDir: string;
let secrets: Record<string, string>;

/**
 * The shipped nginx configuration for this machine: each upstream's compose service becomes the
 * test's replicas, the ports nginx listens on become free loopback ports, and nginx's paths its folder.
 */
function shippedConfig(replicas: Record<string, number[]>, listen: Record<string, number>) {
  const conf = readFileSync(join(ROOT, 'deploy', 'nginx', 'mcp-auth.conf'), 'utf8');
  const http = conf.slice(conf.indexOf('http {') + 'http {'.length, conf.lastIndexOf('}'));
  return (issuerPort: number) =>
    http
      .replace('access_log off;', '')
      // The servers this test does not run: their listeners go, their upstreams point nowhere.
      .replace(/^\s*server \{ listen (\d+);.*$/gm, (line, port: string) => (port === '8000' || listen[port] !== undefined ? line : ''))
      .replace(/server ([\w-]+):(\d+)( [^;]*)?;/g, (_line, host: string, _port, options = '') =>
        (replicas[host] ?? [1]).map((p) => `server 127.0.0.1:${p}${options};`).join(' '),
      )
      .replace(/listen (\d+);/g, (_line, port: string) => `listen 127.0.0.1:${port === '8000' ? issuerPort : listen[port]};`)
      .replace(/include mcp-proxy\.conf;/g, readFileSync(join(ROOT, 'deploy', 'nginx', 'mcp-proxy.conf'), 'utf8').replace(/#.*$/gm, ''));
}

const listTools = async (url: string, token: string) => {
  const res = await postMcp(url, { authorization: `Bearer ${token}` }, 'tools/list');
  return {
    status: res.status,
    tools: res.ok ? ((await res.json()) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name) : [],
  };
};

describe.skipIf(missing)(`three issuers and three hr-servers behind the shipped nginx configuration ${missing ?? ''}`, () => {
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    dir = mkdtempSync(join(tmpdir(), 'battery-nginx-'));
    keyDir = join(dir, 'keys');
    writeKeyPair(keyDir);
    writeCookieSecret(keyDir);
    const issuerPorts = [await freePort(), await freePort(), await freePort()];
    const hrPorts = [await freePort(), await freePort(), await freePort()];
    const hrProxyPort = await freePort();
    nginx = await startNginx(shippedConfig({ issuer: issuerPorts, 'hr-server': hrPorts }, { '8001': hrProxyPort }));
    issuerUrl = nginx.url;
    hrUrl = `http://127.0.0.1:${hrProxyPort}`;
    const shared = { DATABASE_URL: pg.url, REDIS_URL: redis.url, TRUST_PROXY: '127.0.0.1', LOG_LEVEL: 'info' };
    issuerPorts.forEach((port, i) => {
      running.push(
        launchApp(join(APPS, 'issuer'), {
          ...shared,
          PORT: String(port),
          DATA_DIR: join(dir, `issuer-${i}`),
          MCP_AUTH_DIR: keyDir,
          PUBLIC_URL: issuerUrl,
          RESOURCE_SERVERS: `${hrUrl}/`,
          TOKEN_RATE_LIMIT_PER_CLIENT: '100000',
          TOKEN_RATE_LIMIT_PER_IP: '100000',
        }),
      );
    });
    await Promise.all(running.map((r) => untilOutput(r, 'issuer listening')));
    for (const [i, port] of hrPorts.entries()) {
      const run = launchApp(join(APPS, 'hr-server'), {
        ...shared,
        PORT: String(port),
        DATA_DIR: join(dir, `hr-${i}`),
        PUBLIC_URL: hrUrl,
        ISSUER_URL: issuerUrl,
        REVOCATION_POLL_SECONDS: '1',
      });
      running.push(run);
      hrReplicas.push({ run, url: `http://127.0.0.1:${port}` });
    }
    await Promise.all(hrReplicas.map((r) => untilOutput(r.run, 'hr-server listening')));
    const file = join(keyDir, 'demo-credentials.json');
    if (!existsSync(file)) throw new Error('no issuer saved the demo identities');
    const demo = JSON.parse(readFileSync(file, 'utf8')) as { clients: Record<string, { client_secret: string }> };
    secrets = Object.fromEntries(Object.entries(demo.clients).map(([id, c]) => [id, c.client_secret]));
  }, 180_000);

  afterAll(async () => {
    await stopApps(running);
    await Promise.all([nginx?.stop(), redis?.stop(), pg?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const who = (id: string) => ({ clientId: id, clientSecret: secrets[id] as string });
  const tokenOf = (id: string) => clientToken(`${issuerUrl}/token`, who(id));

  it('every applicable attack is blocked, through nginx', async () => {
    const result = await rbacBattery({ issuerUrl, hrUrl, manager: who('alice'), other: who('bob'), employee: who('carol'), keyDir });
    const statuses = Object.fromEntries(Object.entries(result.verdicts).map(([a, v]) => [a, v.status])) as Record<Attack, string>;
    // role_escalation also asks a crm-server, which this deployment does not run.
    expect(Object.entries(statuses).filter(([a, v]) => v !== 'blocked' && v !== 'n/a' && a !== 'role_escalation')).toEqual([]);
    expect(statuses.revoked).toBe('blocked');
    expect(statuses.session_replay).toBe('blocked');
    expect(result.capabilities.eras.match(/: yes/g)).toHaveLength(3);
  }, 120_000);

  it('each role lists exactly the tools the policy gives it at hr-server, through nginx', async () => {
    const policy = loadPolicy(DEFAULT_POLICY_PATH);
    const all = (await listTools(hrUrl, await tokenOf('alice'))).tools;
    for (const [id, role] of [
      ['alice', 'Manager'],
      ['bob', 'AssistantManager'],
      ['carol', 'Employee'],
    ] as const) {
      const grant = policy.roles[role]?.access['hr-server'];
      const expected = grant?.tools === '*' ? all : (grant?.tools ?? []);
      const listed = await listTools(hrUrl, await tokenOf(id));
      expect(listed.status, id).toBe(200);
      expect([...listed.tools].sort(), id).toEqual([...expected].sort());
    }
  });

  it('routes as the file says: 2026-07-28 requests spread over the replicas, older eras stay on one', async () => {
    const auth = { authorization: `Bearer ${await tokenOf('alice')}` };
    const args = { employee_id: 'EMP-003' };
    // Each replica writes one audit event per tool call: counting them says who served the calls.
    const callsAt = () => hrReplicas.map((r) => r.run.out().split('"event":"tool_call"').length);
    const served = async (send: () => Promise<Response>) => {
      const before = callsAt();
      for (let i = 0; i < 12; i++) {
        const res = await send();
        expect(res.status).toBe(200);
        await res.text();
      }
      await new Promise((r) => setTimeout(r, 200)); // the log lines reach the test's pipe
      return callsAt().map((n, i) => n - (before[i] as number));
    };
    const modern = modernToolCall('get_performance_reviews', args);
    const spread = await served(() =>
      fetch(`${hrUrl}/mcp`, { method: 'POST', headers: { ...modern.headers, ...auth }, body: modern.body }),
    );
    const pinned = await served(() =>
      fetch(`${hrUrl}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...auth }, body: toolCall('get_performance_reviews', args) }),
    );
    expect(spread.filter((n) => n > 0).length, `2026-07-28 calls per replica: ${spread}`).toBe(3);
    expect(pinned.filter((n) => n > 0).length, `2025-06-18 calls per replica: ${pinned}`).toBe(1);
    expect(pinned.reduce((a, b) => a + b, 0)).toBe(12);
  });

  it('a token revoked through the issuers is refused by every hr-server replica, each asked directly', async () => {
    const token = await tokenOf('alice');
    for (const r of hrReplicas) expect((await listTools(r.url, token)).status).toBe(200);
    const revoked = await fetch(`${issuerUrl}/revoke`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`alice:${secrets.alice}`).toString('base64')}` },
      body: new URLSearchParams({ token }),
    });
    expect(revoked.status).toBe(200);
    for (const r of hrReplicas) await expect.poll(async () => (await listTools(r.url, token)).status, { timeout: 10_000 }).toBe(401);
  });
});
