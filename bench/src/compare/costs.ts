/**
 * What each method costs: the verifier alone, timed in this process with the servers' own
 * configuration (each token distinct, so no verification cache helps), and end to end, tools/call
 * throughput and latency against the running server beside the same server with auth off.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createApiKey,
  createApiKeyVerifier,
  createHs256TokenIssuer,
  createHs256Verifier,
  createRs256TokenIssuer,
  createRs256Verifier,
  generateSecret,
  loadKeySet,
  openSqliteApiKeyStore,
  writeKeyPair,
} from '@mcp-auth/auth';
import type { Deployment } from '../deploy/deployment.js';
import { type LoadResult, load, MCP_HEADERS, toolCall } from '../load.js';

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

export async function verifierCosts(): Promise<Record<'apikey' | 'jwt' | 'rbac', VerifyCost>> {
  const dir = mkdtempSync(join(tmpdir(), 'verify-cost-'));
  try {
    const store = openSqliteApiKeyStore(join(dir, 'keys.db'));
    const keys = Array.from({ length: 10 }, (_, i) => createApiKey(store, { name: `k${i}` }).key);
    const apiKeyVerifier = createApiKeyVerifier({ store });
    const apikey = await time(20_000, (i) => apiKeyVerifier.verify({ kind: 'api-key-header', key: keys[i % keys.length] as string }));
    store.close();

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
    const rsIssuer = createRs256TokenIssuer({ keys: { current: () => set.signing }, issuer: 'https://dev-issuer.com', ttlSeconds: 600 });
    const rsTokens = await Promise.all(
      Array.from(
        { length: 2000 },
        async (_, i) =>
          (await rsIssuer.issue({ subject: `u${i}`, audience: 'my-mcp-server', scope: 'mcp', claims: { job_role: 'Manager' } })).token,
      ),
    );
    const rsVerifier = createRs256Verifier({
      keys: { publicPem: readFileSync(join(dir, 'rsa', 'public.pem'), 'utf8') },
      issuer: 'https://dev-issuer.com',
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
  withAuth: LoadResult;
  withoutAuth: LoadResult;
}

export async function endToEndCosts(
  d: Deployment,
  options: { connections: number; seconds: number },
  progress: (line: string) => void,
): Promise<Record<'apikey' | 'jwt' | 'rbac', EndToEnd>> {
  const time = toolCall('get_time', { timezone: 'Asia/Dubai' });
  const tokenRes = await fetch(`${d.jwt.server.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${d.jwt.clientId}:${d.jwt.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const jwtToken = ((await tokenRes.json()) as { access_token: string }).access_token;
  const aliceRes = await fetch(`${d.rbac.issuer.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`alice:${d.rbac.secrets.alice}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const aliceToken = ((await aliceRes.json()) as { access_token: string }).access_token;
  const reviews = toolCall('get_performance_reviews', { employee_id: 'EMP-003' });

  const run = async (label: string, url: string, headers: Record<string, string>, body: string) => {
    progress(`  load: ${label}`);
    return load(`${url}/mcp`, { ...MCP_HEADERS, ...headers }, body, options);
  };
  return {
    apikey: {
      tool: 'get_time',
      withAuth: await run('apikey-server', d.apikey.server.url, { 'x-api-key': d.apikey.key }, time),
      withoutAuth: await run('apikey-server, auth off', d.apikey.open.url, {}, time),
    },
    jwt: {
      tool: 'get_time',
      withAuth: await run('jwt-server', d.jwt.server.url, { authorization: `Bearer ${jwtToken}` }, time),
      withoutAuth: await run('jwt-server, auth off', d.jwt.open.url, {}, time),
    },
    rbac: {
      tool: 'get_performance_reviews',
      withAuth: await run('hr-server', d.rbac.hr.url, { authorization: `Bearer ${aliceToken}` }, reviews),
      withoutAuth: await run('hr-server, auth off', d.rbac.hrOpen.url, {}, reviews),
    },
  };
}
