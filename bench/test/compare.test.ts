// pnpm compare's verdicts and reports. A deliberately broken verifier (one that accepts anything) must
// come out as ACCEPTED, and the report files must carry every attack and method.
import { Writable } from 'node:stream';
import { AuthError, type Verifier } from '@mcp-auth/auth';
import { createLogger, createMcpApp } from '@mcp-auth/mcp-fastify';
import { getTimeTool } from '@mcp-auth/tools';
import { describe, expect, it } from 'vitest';
import { ATTACKS, type Attack, type MethodResult, status, verdict } from '../src/compare/battery.js';
import { type Comparison, toHtml, toMarkdown } from '../src/compare/report.js';

async function serverWith(verifier: Verifier) {
  const app = await createMcpApp({
    serverInfo: { name: 'broken', version: '1' },
    tools: [getTimeTool],
    verifier,
    challenge: { realm: 'broken' },
    origin: { allowedHosts: ['127.0.0.1'], allowedOrigins: [] },
    logger: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, d) => d() }) }),
  });
  return { app, url: `${await app.listen({ host: '127.0.0.1', port: 0 })}/mcp` };
}

describe('verdicts', () => {
  it('a verifier that accepts anything is reported as ACCEPTED, a correct one as blocked', async () => {
    const broken = await serverWith({ verify: () => ({ id: 'anyone', method: 'jwt', subject: 'anyone', clientId: 'anyone', scopes: [] }) });
    const correct = await serverWith({
      verify: () => {
        throw new AuthError('invalid_credentials', 'no');
      },
    });
    try {
      expect(verdict(await status(broken.url, { authorization: 'Bearer forged' })).status).toBe('ACCEPTED');
      expect(verdict(await status(correct.url, { authorization: 'Bearer forged' }))).toEqual({ status: 'blocked', detail: 'HTTP 401' });
      expect(verdict(await status(correct.url, {})).status).toBe('blocked');
    } finally {
      await broken.app.close();
      await correct.app.close();
    }
  });

  it('a refusal with an unexpected status still counts as blocked, and says so', () => {
    expect(verdict(403, [404])).toEqual({ status: 'blocked', detail: 'HTTP 403 (refused, though not with the expected status)' });
  });
});

describe('reports', () => {
  const method = (id: MethodResult['id'], accepted?: Attack): MethodResult => ({
    id,
    label: `Method ${id}`,
    verdicts: Object.fromEntries(
      (Object.keys(ATTACKS) as Attack[]).map((a) => [
        a,
        a === accepted ? { status: 'ACCEPTED', detail: 'HTTP 200' } : { status: 'blocked', detail: 'HTTP 401' },
      ]),
    ) as MethodResult['verdicts'],
    capabilities: {
      eras: '2026-07-28: yes (checked)',
      expiry: 'yes',
      revocation: 'yes',
      perToolPermissions: 'no',
      rotation: 'yes',
      setup: 'easy',
    },
  });
  const load = { rps: 1000, p50: 3, p99: 9, non2xx: 0, errors: 0 };
  const comparison: Comparison = {
    generatedAt: '2026-11-27T00:00:00.000Z',
    machine: { node: 'v20', platform: 'linux-x64', cpus: 2, cpuModel: 'test', memoryGiB: 24 },
    settings: { connections: 16, seconds: 3, rounds: 3 },
    targets: 'embedded defaults, started by this run',
    methods: [method('apikey'), method('jwt', 'alg_none'), method('rbac')],
    verify: {
      apikey: { microsecondsPerVerification: 5, samples: 1, note: '' },
      jwt: { microsecondsPerVerification: 4, samples: 1, note: '' },
      rbac: { microsecondsPerVerification: 40, samples: 1, note: '' },
    },
    endToEnd: {
      // The rounds straddle 1x: a difference inside the spread.
      apikey: { tool: 'get_time', withAuth: { ...load, rps: 960 }, withoutAuth: load, ratios: [0.9, 1.05, 0.96] },
      // Every round agrees auth costs 15-25%.
      jwt: { tool: 'get_time', withAuth: { ...load, rps: 800 }, withoutAuth: load, ratios: [0.75, 0.8, 0.85] },
      rbac: { tool: 'x', withAuth: load, withoutAuth: load, ratios: [1] },
    },
    accepted: [{ method: 'Method jwt', attack: ATTACKS.alg_none, detail: 'HTTP 200' }],
  };

  it('Markdown has every attack for every method, capabilities and costs, and flags what was accepted', () => {
    const md = toMarkdown(comparison);
    for (const attack of Object.values(ATTACKS)) expect(md).toContain(`| ${attack} |`);
    expect(md).toContain('| attack | Method apikey | Method jwt | Method rbac |');
    expect(md).toContain('**ACCEPTED** (HTTP 200)');
    expect(md).toContain('**1 attack(s) were ACCEPTED.**');
    for (const row of [
      'protocol eras',
      'setup',
      'expiry',
      'revocation',
      'per-tool permissions',
      'rotation',
      'verification alone',
      'req/s with auth',
      'throughput cost of auth',
    ]) {
      expect(md).toContain(`| ${row} |`);
    }
  });

  it('a difference inside the spread of the rounds is "within noise", never a percentage', () => {
    const md = toMarkdown(comparison);
    const costRow = md.split('\n').find((line) => line.startsWith('| throughput cost of auth |')) ?? '';
    const [apikey, jwt, rbac] = costRow.split(' | ').slice(1);
    expect(apikey).toBe('within noise (0.96x, rounds 0.90x-1.05x of auth off)');
    expect(apikey).not.toMatch(/\d%/);
    expect(jwt).toBe('20% slower (0.80x, rounds 0.75x-0.85x of auth off)');
    expect(rbac).toContain('one round only');
    expect(md).toContain('3 rounds of 3 s');
  });

  it('HTML is one self-contained file with tables and SVG charts', () => {
    const html = toHtml(comparison, toMarkdown(comparison));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html.match(/<table>/g)?.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('class="bad"');
  });
});
