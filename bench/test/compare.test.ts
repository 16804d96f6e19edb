// pnpm compare's verdicts and reports. A deliberately broken verifier (one that accepts anything) must
// come out as ACCEPTED, and the report files must carry every attack and method.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { AuthError, type Verifier } from '@mcp-auth/auth';
import { createLogger, createMcpApp } from '@mcp-auth/mcp-fastify';
import { launchChromium } from '@mcp-auth/mcp-fastify/testing';
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
      clients: 'custom headers (Inspector, mcp-remote, Claude Code, VS Code): yes',
      eras: '2026-07-28: yes (checked)',
      expiry: 'yes',
      revocation: 'yes',
      perToolPermissions: 'no',
      rotation: 'yes',
      setup: 'easy',
    },
  });
  const load = { rps: 1000, p50: 3, p99: 9, non2xx: 0, errors: 0, cpuMicrosPerCall: 400 };
  /** Three rounds around a figure, as a run keeps them; the report prints their range. */
  const rounds = (r: typeof load, rps: number[], cpu: number[]) =>
    rps.map((value, i) => ({ ...r, rps: value, p99: r.p99 + i, cpuMicrosPerCall: cpu[i] as number }));
  const comparison: Comparison = {
    generatedAt: '2026-11-27T00:00:00.000Z',
    commit: 'abc1234',
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
      // The rounds straddle 1x in throughput and in CPU per call: differences inside the spread.
      apikey: {
        tool: 'get_time',
        withAuth: { ...load, rps: 960, p99: 10, cpuMicrosPerCall: 410 },
        withoutAuth: { ...load, p99: 10 },
        rounds: {
          withAuth: rounds(load, [900, 960, 1050], [380, 410, 440]),
          withoutAuth: rounds(load, [990, 1000, 1000], [400, 400, 400]),
        },
        ratios: [0.9, 1.05, 0.96],
        cpuRatios: [0.95, 1.02, 1.1],
      },
      // Every round agrees auth costs 15-25% of throughput and 10-14% more CPU per call.
      jwt: {
        tool: 'get_time',
        withAuth: { ...load, rps: 800, p99: 10, cpuMicrosPerCall: 448 },
        withoutAuth: { ...load, p99: 10 },
        rounds: {
          withAuth: rounds(load, [750, 800, 850], [440, 448, 456]),
          withoutAuth: rounds(load, [1000, 1000, 1000], [400, 400, 400]),
        },
        ratios: [0.75, 0.8, 0.85],
        cpuRatios: [1.1, 1.12, 1.14],
      },
      // One round, and a server this run did not start: no CPU figure, said so.
      rbac: {
        tool: 'x',
        withAuth: { ...load, cpuMicrosPerCall: undefined },
        withoutAuth: { ...load, cpuMicrosPerCall: undefined },
        rounds: { withAuth: [load], withoutAuth: [load] },
        ratios: [1],
        cpuMissing: 'not measured: this run did not start the server, so its CPU time is not readable here',
      },
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
      'clients that can use it',
      'protocol eras',
      'setup',
      'expiry',
      'revocation',
      'per-tool permissions',
      'rotation',
      'verification alone',
      'req/s with auth',
      'throughput cost of auth',
      'server CPU per call with auth',
      'server CPU per call auth off',
      'CPU cost of auth',
      'p50 / p99 ms with auth',
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

  it('the cost of auth in server CPU per call is judged by the same rule: within noise, or a cost every round agrees on', () => {
    const md = toMarkdown(comparison);
    const cells = (name: string) =>
      (md.split('\n').find((line) => line.startsWith(`| ${name} |`)) ?? '').replace(/ \|$/, '').split(' | ').slice(1);
    const [apikey, jwt, rbac] = cells('CPU cost of auth');
    expect(apikey).toBe('within noise (1.02x, rounds 0.95x-1.10x of auth off)');
    expect(apikey).not.toMatch(/\d%/);
    expect(jwt).toBe('12% more CPU per call (1.12x, rounds 1.10x-1.14x of auth off)');
    expect(rbac).toContain('this run did not start the server');
  });

  it('every figure carries the range of its rounds beside its median', () => {
    const md = toMarkdown(comparison);
    const cells = (name: string) =>
      (md.split('\n').find((line) => line.startsWith(`| ${name} |`)) ?? '').replace(/ \|$/, '').split(' | ').slice(1);
    expect(cells('req/s with auth')[0]).toBe('960 (rounds 900-1050)');
    expect(cells('server CPU per call with auth')[1]).toBe('448 µs (rounds 440 µs-456 µs)');
    expect(cells('p50 / p99 ms with auth')[0]).toBe('3 (rounds 3-3) / 10 (rounds 9-11)');
    // One round has no spread to print.
    expect(cells('req/s with auth')[2]).toBe('1000');
    expect(cells('server CPU per call with auth')[2]).toMatch(/^n\/a \(not measured/);
  });

  it('HTML is one self-contained file with tables and SVG charts', () => {
    const html = toHtml(comparison, toMarkdown(comparison));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    // throughput, its cost, CPU per call, its cost, latency, verification
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(html.match(/<table>/g)?.length).toBeGreaterThanOrEqual(3);
    expect(html).toContain('class="bad"');
  });

  it('compare.html renders in headless Chromium, offline, and its charts draw the numbers of compare.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compare-html-'));
    const file = join(dir, 'compare.html');
    writeFileSync(file, toHtml(comparison, toMarkdown(comparison)));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) problems.push(`fetched ${r.url()}`);
      });
      await page.goto(pathToFileURL(file).href);
      // Runs in the page; typed by hand, since this package compiles without the DOM library.
      interface Box {
        getBoundingClientRect(): { width: number };
        getAttribute(name: string): string | null;
        textContent: string | null;
      }
      const drawn = await page.evaluate(() => {
        const doc = (
          globalThis as unknown as { document: { querySelectorAll(q: string): Iterable<Box>; querySelector(q: string): Box | null } }
        ).document;
        return {
          svgs: [...doc.querySelectorAll('svg')].map((svg) => svg.getBoundingClientRect().width),
          bars: [...doc.querySelectorAll('rect[data-series]')].map((r) => ({
            series: r.getAttribute('data-series') ?? '',
            value: r.getAttribute('data-value'),
            min: r.getAttribute('data-min'),
            max: r.getAttribute('data-max'),
            width: r.getBoundingClientRect().width,
          })),
          stamp: doc.querySelector('.stamp')?.textContent ?? '',
        };
      });
      expect(problems).toEqual([]);
      expect(drawn.svgs).toHaveLength(6);
      for (const width of drawn.svgs) expect(width).toBeGreaterThan(0);
      expect(drawn.stamp).toContain('abc1234');
      expect(drawn.stamp).toContain('2026-11-27');
      // Every number a bar draws is the one in compare.json, found by its series path.
      const json = JSON.parse(JSON.stringify(comparison)) as Record<string, unknown>;
      const at = (path: string): unknown => {
        const [id, ...rest] = path.split('.');
        if (rest[0] === 'verify') return comparison.verify[id as 'apikey'].microsecondsPerVerification;
        return rest.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], (json.endToEnd as Record<string, unknown>)[id as string]);
      };
      const series = drawn.bars.map((b) => b.series);
      for (const id of ['apikey', 'jwt', 'rbac']) {
        for (const s of [
          'withAuth.rps',
          'withoutAuth.rps',
          'withAuth.p50',
          'withAuth.p99',
          'withoutAuth.p50',
          'withoutAuth.p99',
          'verify',
        ]) {
          expect(series).toContain(`${id}.${s}`);
        }
      }
      for (const id of ['apikey', 'jwt'])
        for (const s of ['withAuth.cpuMicrosPerCall', 'withoutAuth.cpuMicrosPerCall', 'cpuRatios', 'cpuRatios.median'])
          expect(series).toContain(`${id}.${s}`);
      expect(series).not.toContain('rbac.withAuth.cpuMicrosPerCall');
      for (const bar of drawn.bars) {
        expect(bar.width).toBeGreaterThan(0);
        if (/\.(cpuR|r)atios$/.test(bar.series)) {
          const ratios = at(bar.series) as number[];
          expect([Number(bar.min), Number(bar.max)]).toEqual([Math.min(...ratios), Math.max(...ratios)]);
        } else if (/\.(cpuR|r)atios\.median$/.test(bar.series)) {
          const ratios = [...(at(bar.series.replace(/\.median$/, '')) as number[])].sort((a, b) => a - b);
          expect(Number(bar.value)).toBe(ratios[Math.floor(ratios.length / 2)]);
        } else {
          expect(Number(bar.value)).toBe(at(bar.series));
        }
      }
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
