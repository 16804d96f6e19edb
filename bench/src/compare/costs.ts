/**
 * What each method costs: the verifier alone, timed in this process with the servers' own
 * configuration (each token distinct, so no verification cache helps), and end to end, tools/call
 * throughput and latency against the running server beside the same server with auth off (when the
 * targets name one: a run on embedded defaults always starts it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApiKeyTables,
  createApiKey,
  createApiKeyVerifier,
  createHs256TokenIssuer,
  createHs256Verifier,
  createRs256TokenIssuer,
  createRs256Verifier,
  generateSecret,
  loadKeySet,
  openApiKeyStore,
  writeKeyPair,
} from '@mcp-auth/auth';
import { databaseSettings, openStore } from '@mcp-auth/database';
import { type LoadResult, load, MCP_HEADERS, toolCall } from '../load.js';
import { median } from '../median.js';
import { clientToken, type MethodId } from './battery.js';
import type { Targets } from './targets.js';

export interface VerifyCost {
  microsecondsPerVerification: number;
  samples: number;
  note: string;
}

async function time(samples: number, run: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(200, samples); i++) await run(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < samples; i++) await run(i);
  return Number(process.hrtime.bigint() - start) / 1000 / samples;
}

export async function verifierCosts(): Promise<Record<MethodId, VerifyCost>> {
  const dir = mkdtempSync(join(tmpdir(), 'verify-cost-'));
  try {
    const store = await openApiKeyStore(
      openStore<ApiKeyTables>(databaseSettings({}, { service: 'compare', sqlitePath: join(dir, 'keys.db') })),
    );
    const keys: string[] = [];
    for (let i = 0; i < 10; i++) keys.push((await createApiKey(store, { name: `k${i}` })).key);
    const apiKeyVerifier = createApiKeyVerifier({ store });
    const apikey = await time(20_000, (i) => apiKeyVerifier.verify({ kind: 'api-key-header', key: keys[i % keys.length] as string }));
    await store.close();

    const secret = generateSecret();
    const hsIssuer = createHs256TokenIssuer({ secret, issuer: 'https://compare', ttlSeconds: 600 });
    const hsTokens = Array.from(
      { length: 20_000 },
      (_, i) => hsIssuer.issue({ subject: `c${i}`, audience: 'https://compare/', scope: 'mcp' }).token,
    );
    const hsVerifier = createHs256Verifier({ secret, issuer: 'https://compare', audience: 'https://compare/', requiredScope: 'mcp' });
    const jwt = await time(hsTokens.length, (i) => hsVerifier.verify({ kind: 'bearer', token: hsTokens[i] as string }));

    writeKeyPair(join(dir, 'rsa'));
    const set = loadKeySet(join(dir, 'rsa'));
    const rsIssuer = createRs256TokenIssuer({ keys: { current: () => set.signing }, issuer: 'http://127.0.0.1:8000', ttlSeconds: 600 });
    const rsTokens = await Promise.all(
      Array.from(
        { length: 2000 },
        async (_, i) =>
          (await rsIssuer.issue({ subject: `u${i}`, audience: 'my-mcp-server', scope: 'mcp', claims: { job_role: 'Manager' } })).token,
      ),
    );
    const rsVerifier = createRs256Verifier({
      keys: { publicPem: readFileSync(join(dir, 'rsa', 'public.pem'), 'utf8') },
      issuer: 'http://127.0.0.1:8000',
      audiences: ['my-mcp-server'],
    });
    const rbac = await time(rsTokens.length, (i) => rsVerifier.verify({ kind: 'bearer', token: rsTokens[i] as string }));
    return {
      apikey: { microsecondsPerVerification: apikey, samples: 20_000, note: 'SQLite lookup by key id + SHA-256 + constant-time compare' },
      jwt: {
        microsecondsPerVerification: jwt,
        samples: hsTokens.length,
        note: 'HS256 (fast-jwt), claims checks, revocation list lookup; distinct tokens',
      },
      rbac: {
        microsecondsPerVerification: rbac,
        samples: rsTokens.length,
        note: 'RS256 (fast-jwt) with a cached public key, claims checks; distinct tokens',
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface EndToEnd {
  tool: string;
  /** With auth: each figure (req/s, p50, p99, server CPU per call) the median of its rounds. */
  withAuth: LoadResult;
  /** The same server with auth off, the same medians; absent when the targets name no such server. */
  withoutAuth?: LoadResult;
  /** Every round of each, in the order run: the spread printed beside every figure. */
  rounds: { withAuth: LoadResult[]; withoutAuth: LoadResult[] };
  /** Ours / auth off, req/s, one per round (the rounds alternate the two). */
  ratios?: number[];
  /** Ours / auth off, server CPU per answered call, one per round (above 1x is the cost of auth). */
  cpuRatios?: number[];
  /** Why server CPU per call is not given, when it is not. */
  cpuMissing?: string;
}

export interface CostRunOptions {
  connections: number;
  seconds: number;
  /** Rounds of with-auth and auth-off runs, alternating which goes first. */
  rounds: number;
}

/** The processes of a method's server and its auth-off twin, when this run started them: their CPU
 *  time is read from /proc. Servers named by a targets file may be on another machine. */
export type ServerPids = Partial<Record<MethodId, { server: number | undefined; twin: number | undefined }>>;

/** Each figure the median of the rounds: a slow round moves one figure's median no more than the others'. */
export function medianOfRounds(runs: readonly LoadResult[]): LoadResult {
  const of = (pick: (r: LoadResult) => number) => median(runs.map(pick));
  const cpu = runs.map((r) => r.cpuMicrosPerCall);
  return {
    rps: Math.round(of((r) => r.rps)),
    p50: of((r) => r.p50),
    p99: of((r) => r.p99),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    ...(cpu.every((c) => c !== undefined) && cpu.length ? { cpuMicrosPerCall: Math.round(median(cpu as number[])) } : {}),
  };
}

export async function endToEndCosts(
  targets: Targets,
  options: CostRunOptions,
  progress: (line: string) => void,
  pids: ServerPids = {},
): Promise<Partial<Record<MethodId, EndToEnd>>> {
  const time = toolCall('get_time', { timezone: 'Asia/Dubai' });
  const reviews = toolCall('get_performance_reviews', { employee_id: 'EMP-003' });
  const run = (url: string, headers: Record<string, string>, body: string, serverPid: number | undefined) =>
    load(`${url}/mcp`, { ...MCP_HEADERS, ...headers }, body, { connections: options.connections, seconds: options.seconds, serverPid });
  const measure = async (
    id: MethodId,
    label: string,
    tool: string,
    body: string,
    url: string,
    headers: Record<string, string>,
    openUrl?: string,
  ) => {
    const withAuth: LoadResult[] = [];
    const withoutAuth: LoadResult[] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const pid = pids[id];
    for (let round = 0; round < options.rounds; round++) {
      progress(`  load: ${label}, round ${round + 1} of ${options.rounds}${openUrl ? ', with auth and auth off' : ''}`);
      // Alternating which goes first cancels the drift (warming, other load) within a round.
      let mine: LoadResult | undefined;
      let theirs: LoadResult | undefined;
      for (const which of round % 2 === 0 ? ['ours', 'twin'] : ['twin', 'ours']) {
        if (which === 'ours') {
          mine = await run(url, headers, body, pid?.server);
          withAuth.push(mine);
        } else if (openUrl) {
          theirs = await run(openUrl, {}, body, pid?.twin);
          withoutAuth.push(theirs);
        }
      }
      if (mine && theirs && theirs.rps > 0) ratios.push(mine.rps / theirs.rps);
      if (mine?.cpuMicrosPerCall && theirs?.cpuMicrosPerCall) cpuRatios.push(mine.cpuMicrosPerCall / theirs.cpuMicrosPerCall);
    }
    const cpuMissing = !pid?.server
      ? 'not measured: this run did not start the server, so its CPU time is not readable here'
      : openUrl && cpuRatios.length < withoutAuth.length
        ? 'the auth-off twin was not started by this run, so its CPU time is not readable here'
        : undefined;
    return {
      tool,
      withAuth: medianOfRounds(withAuth),
      rounds: { withAuth, withoutAuth },
      ...(withoutAuth.length ? { withoutAuth: medianOfRounds(withoutAuth), ratios } : {}),
      ...(cpuRatios.length ? { cpuRatios } : {}),
      ...(cpuMissing ? { cpuMissing } : {}),
    };
  };

  const result: Partial<Record<MethodId, EndToEnd>> = {};
  const { apikey, jwt, rbac } = targets;
  if (apikey)
    result.apikey = await measure('apikey', 'apikey-server', 'get_time', time, apikey.url, { 'x-api-key': apikey.key }, apikey.openUrl);
  if (jwt) {
    const token = await clientToken(`${jwt.url}/token`, jwt.client);
    result.jwt = await measure('jwt', 'jwt-server', 'get_time', time, jwt.url, { authorization: `Bearer ${token}` }, jwt.openUrl);
  }
  if (rbac) {
    const token = await clientToken(`${rbac.issuerUrl}/token`, rbac.manager);
    result.rbac = await measure(
      'rbac',
      'hr-server',
      'get_performance_reviews',
      reviews,
      rbac.hrUrl,
      { authorization: `Bearer ${token}` },
      rbac.openUrl,
    );
  }
  return result;
}
