/**
 * One server three ways (issue 16): apikey-server on its embedded SQLite file, one replica on a shared
 * PostgreSQL and Redis, and three such replicas behind nginx round robin (deploy/nginx/mcp-proxy.conf),
 * driven by the same 2025-era stateless tools/call in alternating rounds, each round's throughput as
 * a ratio to the embedded server's in the same round.
 *
 * What the figures mean: a request to a replica on the shared stores costs what the embedded one does
 * once its key is in memory (the stores are asked at most every RECORD_RECHECK_MS), so the second
 * ratio is the cost of the shared stores' background looks and of one more process on the machine.
 * The third adds the proxy hop; on a machine with as many cores as this one has, three replicas, nginx,
 * PostgreSQL, Redis and the load generator share them, so three cannot be faster than one: the figure
 * is what the hop and the sharing cost, not what scaling out gains.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingService, startNginx, startPostgres, startRedis } from '@mcp-auth/mcp-fastify/testing';
import type { Placement } from '../deploy/cpu-placement.js';
import { type Launched, launch, ROOT } from '../deploy/launch.js';
import { type LoadResult, load, MCP_HEADERS, toolCall } from '../load.js';

export interface DeploymentRuns {
  embedded: LoadResult[];
  shared: LoadResult[];
  behindNginx: LoadResult[];
}

export type DeploymentResult = DeploymentRuns | { notRun: string };

const REPLICAS = 3;

function nginxBlock(ports: number[]) {
  const proxy = readFileSync(join(ROOT, 'deploy', 'nginx', 'mcp-proxy.conf'), 'utf8').replace(/#.*$/gm, '');
  return (listen: number) => `
  upstream apikey { ${ports.map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 64; }
  server { listen 127.0.0.1:${listen}; location / { proxy_pass http://apikey; ${proxy} } }`;
}

export async function measureDeployments(options: {
  placement: Placement;
  connections: number;
  seconds: number;
  rounds: number;
  log: (line: string) => void;
}): Promise<DeploymentResult> {
  const missing = missingService('postgres') ?? missingService('redis') ?? missingService('nginx');
  if (missing) return { notRun: missing };
  const { placement, connections, seconds, rounds, log } = options;
  const dir = mkdtempSync(join(tmpdir(), 'bench-deployments-'));
  const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  const started: Launched[] = [];
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  try {
    const embedded = await launch('apikey-server', { DATA_DIR: join(dir, 'embedded') }, 'apikey-server on SQLite', placement);
    started.push(embedded);
    const embeddedKey = demoKey(join(dir, 'embedded'));
    const sharedEnv = (i: number) => ({ DATA_DIR: join(dir, `shared-${i}`), DATABASE_URL: pg.url, REDIS_URL: redis.url });
    const shared = await launch('apikey-server', sharedEnv(0), 'apikey-server on PostgreSQL + Redis', placement);
    started.push(shared);
    // The first replica on the empty database made the demo key; the others share it.
    const sharedKey = demoKey(join(dir, 'shared-0'));
    const replicas: Launched[] = [];
    for (let i = 1; i <= REPLICAS; i++) {
      const replica = await launch(
        'apikey-server',
        { ...sharedEnv(i), TRUST_PROXY: '127.0.0.1' },
        `apikey-server replica ${i} behind nginx`,
        placement,
      );
      replicas.push(replica);
      started.push(replica);
    }
    nginx = await startNginx(nginxBlock(replicas.map((r) => r.port)));
    const body = toolCall('get_time', { timezone: 'Asia/Dubai' });
    const run = (url: string, key: string, serverPid?: number) =>
      load(`${url}/mcp`, { ...MCP_HEADERS, 'x-api-key': key }, body, { connections, seconds, serverPid });
    const runs: DeploymentRuns = { embedded: [], shared: [], behindNginx: [] };
    for (let round = 0; round < rounds; round++) {
      // Alternating order, so that no way is always measured first (or last) in its round.
      const order: Array<keyof DeploymentRuns> = round % 2 ? ['behindNginx', 'shared', 'embedded'] : ['embedded', 'shared', 'behindNginx'];
      for (const way of order) {
        const result =
          way === 'embedded'
            ? await run(embedded.url, embeddedKey, embedded.child.pid)
            : way === 'shared'
              ? await run(shared.url, sharedKey, shared.child.pid)
              : await run(nginx.url, sharedKey);
        if (result.non2xx + result.errors + (result.mismatches ?? 0) > 0)
          throw new Error(`${way}: calls not answered with a tools/call result (${result.non2xx} non-2xx, ${result.errors} errors)`);
        runs[way].push(result);
      }
      log(
        `  round ${round + 1}/${rounds}: ${runs.embedded.at(-1)?.rps} / ${runs.shared.at(-1)?.rps} / ${runs.behindNginx.at(-1)?.rps} req/s`,
      );
    }
    return runs;
  } finally {
    for (const s of started) await s.stop();
    await Promise.all([nginx?.stop(), redis.stop(), pg.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

function demoKey(dataDir: string): string {
  const key = (JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as { api_key?: string }).api_key;
  if (!key) throw new Error(`no demo key in ${dataDir}`);
  return key;
}
