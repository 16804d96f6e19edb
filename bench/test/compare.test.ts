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
  const load = { rps: 1000, p50: 3, p99: 9, non2xx: 0, errors: 0 };
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
    expect(html.match(/<svg /g)).toHaveLength(4);
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
      expect(drawn.svgs).toHaveLength(4);
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
      for (const bar of drawn.bars) {
        expect(bar.width).toBeGreaterThan(0);
        if (bar.series.endsWith('.ratios')) {
          const ratios = at(bar.series) as number[];
          expect([Number(bar.min), Number(bar.max)]).toEqual([Math.min(...ratios), Math.max(...ratios)]);
        } else if (bar.series.endsWith('.ratios.median')) {
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
