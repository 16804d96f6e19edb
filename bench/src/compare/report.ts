/**
 * compare.json (everything, for tools), compare.md (tables, for a README or a PR) and compare.html
 * (tables and bar charts as inline SVG: one file, viewable offline).
 */
import { ATTACKS, type Attack, type MethodResult } from './battery.js';
import type { EndToEnd, VerifyCost } from './costs.js';
import { costOfAuth, type RatioSpread, spreadOf, withRange } from './noise.js';

export interface Comparison {
  generatedAt: string;
  /** The commit the run was built from (`git rev-parse --short HEAD`), or "unknown". */
  commit: string;
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryGiB: number };
  /** placement: where the servers and the load generator ran (deploy/cpu-placement.ts), when this run started them. */
  settings: { connections: number; seconds: number; rounds: number; placement?: string };
  /** "embedded defaults, started by this run", or the targets file used. */
  targets: string;
  methods: MethodResult[];
  verify: Record<MethodResult['id'], VerifyCost>;
  endToEnd: Partial<Record<MethodResult['id'], EndToEnd>>;
  accepted: Array<{ method: string; attack: string; detail: string }>;
}

const overhead = (e: EndToEnd | undefined) => costOfAuth(spreadOf(e?.ratios ?? []));
const cpuOverhead = (e: EndToEnd | undefined) =>
  e?.cpuMissing ? `n/a (${e.cpuMissing})` : costOfAuth(spreadOf(e?.cpuRatios ?? []), 'cpu');

type Side = 'withAuth' | 'withoutAuth';

/** One figure of one side with the range of its rounds; undefined when that side was not run. */
function figure(
  e: EndToEnd,
  side: Side,
  pick: (r: NonNullable<EndToEnd['withAuth']>) => number | undefined,
  unit = '',
): string | undefined {
  const value = e[side] ? pick(e[side]) : undefined;
  if (value === undefined) return undefined;
  const rounds = e.rounds[side].map(pick).filter((v): v is number => v !== undefined);
  return withRange(value, rounds, unit);
}

export function toMarkdown(c: Comparison): string {
  const ids = c.methods.map((m) => m.id);
  const head = (cells: string[]) => `| ${cells.join(' | ')} |\n|${cells.map(() => '---').join('|')}|`;
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const mark = (v: MethodResult['verdicts'][Attack]) =>
    v.status === 'blocked'
      ? `blocked (${v.detail})`
      : v.status === 'n/a'
        ? `n/a: ${v.detail}`
        : v.status === 'not run'
          ? `not run: ${v.detail}`
          : `**ACCEPTED** (${v.detail})`;
  const e2e = (id: MethodResult['id'], f: (e: EndToEnd) => string) => {
    const e = c.endToEnd[id];
    return e ? f(e) : 'not measured';
  };
  const sideRow = (label: string, cell: (e: EndToEnd) => string | undefined, missing: (e: EndToEnd) => string) =>
    row([label, ...ids.map((id) => e2e(id, (e) => cell(e) ?? missing(e)))]);
  const noTwin = () => 'n/a (no auth-off twin)';
  const latency = (side: Side) => (e: EndToEnd) => {
    const p50 = figure(e, side, (r) => r.p50);
    const p99 = figure(e, side, (r) => r.p99);
    return p50 && p99 ? `${p50} / ${p99}` : undefined;
  };
  const cpu = (side: Side) => (e: EndToEnd) => figure(e, side, (r) => r.cpuMicrosPerCall, ' µs');
  const cpuMissing = (e: EndToEnd) => `n/a (${e.cpuMissing ?? 'not measured'})`;
  const notRun = c.methods.reduce((n, m) => n + Object.values(m.verdicts).filter((v) => v.status === 'not run').length, 0);
  return [
    '# MCP auth, three ways: measured side by side',
    '',
    `Generated ${c.generatedAt} from commit ${c.commit} on ${c.machine.cpus} x ${c.machine.cpuModel}, ${c.machine.memoryGiB} GiB, Node ${c.machine.node} (${c.machine.platform}). Servers: ${c.targets}.`,
    c.accepted.length
      ? `\n**${c.accepted.length} attack(s) were ACCEPTED.**\n`
      : `\nEvery applicable attack that was run was refused${notRun ? ` (${notRun} not run: the targets did not give what they need)` : ''}.\n`,
    '## Attacks',
    '',
    head(['attack', ...c.methods.map((m) => m.label)]),
    ...(Object.keys(ATTACKS) as Attack[]).map((a) => row([ATTACKS[a], ...c.methods.map((m) => mark(m.verdicts[a]))])),
    '',
    '## Capabilities',
    '',
    head(['', ...c.methods.map((m) => m.label)]),
    row(['clients that can use it', ...c.methods.map((m) => m.capabilities.clients)]),
    row(['protocol eras', ...c.methods.map((m) => m.capabilities.eras)]),
    row(['setup', ...c.methods.map((m) => m.capabilities.setup)]),
    row(['expiry', ...c.methods.map((m) => m.capabilities.expiry)]),
    row(['revocation', ...c.methods.map((m) => m.capabilities.revocation)]),
    row(['per-tool permissions', ...c.methods.map((m) => m.capabilities.perToolPermissions)]),
    row(['rotation', ...c.methods.map((m) => m.capabilities.rotation)]),
    '',
    `## Cost (tools/call, ${c.settings.connections} connections, ${c.settings.rounds} rounds of ${c.settings.seconds} s, each with auth and auth off, alternating; each figure is the median of its rounds, their range beside it)`,
    '',
    head(['', ...c.methods.map((m) => m.label)]),
    row(['verification alone', ...ids.map((id) => `${c.verify[id].microsecondsPerVerification.toFixed(1)} µs`)]),
    row(['tool measured', ...ids.map((id) => e2e(id, (e) => e.tool))]),
    sideRow('req/s with auth', (e) => figure(e, 'withAuth', (r) => r.rps), noTwin),
    sideRow('req/s auth off', (e) => figure(e, 'withoutAuth', (r) => r.rps), noTwin),
    row(['throughput cost of auth', ...ids.map((id) => overhead(c.endToEnd[id]))]),
    sideRow('server CPU per call with auth', cpu('withAuth'), cpuMissing),
    sideRow('server CPU per call auth off', cpu('withoutAuth'), (e) => (e.withoutAuth ? cpuMissing(e) : noTwin())),
    row(['CPU cost of auth', ...ids.map((id) => cpuOverhead(c.endToEnd[id]))]),
    sideRow('p50 / p99 ms with auth', latency('withAuth'), noTwin),
    sideRow('p50 / p99 ms auth off', latency('withoutAuth'), noTwin),
    '',
    "Verification is timed in-process with each server's own verifier and distinct credentials. End-to-end",
    `numbers share the machine with the load generator${c.settings.placement ? ` (${c.settings.placement})` : ''} and move between runs: every figure is the`,
    'median of its rounds, with the lowest and highest round beside it, and the cost of auth is judged per',
    "round against the auth-off twin, in throughput and in the server's CPU time per answered call (user +",
    'system, all its threads, from /proc; the load generator is not counted). A difference the rounds do not',
    `agree on is "within noise". For tighter figures run more and longer rounds (ROUNDS=9 DUR=5), or \`pnpm bench\`.`,
    '',
  ].join('\n');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A chart with its title as a caption, which wraps where a title inside the SVG would be cut off. */
const captioned = (title: string, svg: string) => `<figure><figcaption>${escapeHtml(title)}</figcaption>${svg}</figure>`;

/** A horizontal bar chart as inline SVG. */
interface Bar {
  label: string;
  value: number;
  color: string;
  /** Which number of compare.json the bar draws (`data-series`), so a reader or a test can check it. */
  series: string;
}

function bars(title: string, unit: string, items: Bar[]): string {
  const max = Math.max(1, ...items.map((i) => i.value));
  const rowH = 26;
  const width = 640;
  const labelW = 260;
  const height = items.length * rowH + 10;
  const rows = items
    .map((item, i) => {
      const w = Math.max(1, ((width - labelW - 90) * item.value) / max);
      const y = 4 + i * rowH;
      return `<text x="0" y="${y + 14}" font-size="12">${escapeHtml(item.label)}</text><rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${item.color}" data-series="${escapeHtml(item.series)}" data-value="${item.value}"/><text x="${labelW + w + 6}" y="${y + 14}" font-size="12">${item.value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${unit}</text>`;
    })
    .join('');
  return captioned(
    title,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">${rows}</svg>`,
  );
}

/**
 * The cost of auth per method as the rounds measured it: a bar from the lowest to the highest round's
 * ratio (ours / auth off), a tick at the median, and a line at 1x (no cost). A bar across the line is
 * "within noise".
 */
function costChart(title: string, items: Array<{ series: string; label: string; color: string; spread: RatioSpread }>): string {
  const width = 640;
  const labelW = 260;
  const rowH = 26;
  const lo = Math.min(0.5, ...items.map((i) => i.spread.min));
  const hi = Math.max(1.5, ...items.map((i) => i.spread.max));
  const x = (ratio: number) => labelW + ((width - labelW - 20) * (ratio - lo)) / (hi - lo);
  const height = items.length * rowH + 26;
  const rows = items
    .map((item, i) => {
      const y = 4 + i * rowH;
      const { min, max, median } = item.spread;
      return `<text x="0" y="${y + 14}" font-size="12">${escapeHtml(item.label)}</text><rect x="${x(min).toFixed(1)}" y="${y + 3}" width="${Math.max(1, x(max) - x(min)).toFixed(1)}" height="12" fill="${item.color}" opacity="0.45" data-series="${item.series}" data-min="${min}" data-max="${max}"/><rect x="${(x(median) - 1.5).toFixed(1)}" y="${y}" width="3" height="18" fill="${item.color}" data-series="${item.series}.median" data-value="${median}"/>`;
    })
    .join('');
  const one = x(1).toFixed(1);
  const axis = `<line x1="${one}" y1="0" x2="${one}" y2="${height - 20}" stroke="#333" stroke-dasharray="4 3"/><text x="${one}" y="${height - 6}" font-size="11" text-anchor="middle">1x: no cost</text><text x="${labelW}" y="${height - 6}" font-size="11">${lo.toFixed(2)}x</text><text x="${width - 20}" y="${height - 6}" font-size="11" text-anchor="end">${hi.toFixed(2)}x</text>`;
  return captioned(
    title,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">${rows}${axis}</svg>`,
  );
}

export function toHtml(c: Comparison, markdown: string): string {
  const colors = { apikey: '#4e79a7', jwt: '#f28e2b', rbac: '#59a14f' } as const;
  const label = (id: MethodResult['id']) => c.methods.find((m) => m.id === id)?.label ?? id;
  const ids = c.methods.map((m) => m.id);
  const measured = ids.flatMap((id) => {
    const e = c.endToEnd[id];
    return e ? [{ id, e }] : [];
  });
  const spreadsOf = (key: 'ratios' | 'cpuRatios') =>
    measured.flatMap(({ id, e }) => {
      const spread = spreadOf(e[key] ?? []);
      return spread ? [{ series: `${id}.${key}`, label: label(id), color: colors[id], spread }] : [];
    });
  const spreads = spreadsOf('ratios');
  const cpuSpreads = spreadsOf('cpuRatios');
  const withCpu = measured.filter(({ e }) => e.withAuth.cpuMicrosPerCall !== undefined);
  const AUTH_OFF = '#bab0ac';
  const charts = [
    bars(
      'tools/call throughput (req/s, median of the rounds): with auth, and the same server with auth off',
      'req/s',
      measured.flatMap(({ id, e }) => [
        { label: label(id), value: e.withAuth.rps, color: colors[id], series: `${id}.withAuth.rps` },
        ...(e.withoutAuth
          ? [{ label: '  same server, auth off', value: e.withoutAuth.rps, color: AUTH_OFF, series: `${id}.withoutAuth.rps` }]
          : []),
      ]),
    ),
    ...(spreads.length
      ? [
          costChart(
            'Cost of auth in throughput: ours / auth off per round (lowest to highest, tick at the median; below 1x is the cost)',
            spreads,
          ),
        ]
      : []),
    ...(withCpu.length
      ? [
          bars(
            'Server CPU per call (µs, median of the rounds): with auth, and the same server with auth off',
            'µs',
            withCpu.flatMap(({ id, e }) => [
              {
                label: label(id),
                value: e.withAuth.cpuMicrosPerCall as number,
                color: colors[id],
                series: `${id}.withAuth.cpuMicrosPerCall`,
              },
              ...(e.withoutAuth?.cpuMicrosPerCall !== undefined
                ? [
                    {
                      label: '  same server, auth off',
                      value: e.withoutAuth.cpuMicrosPerCall,
                      color: AUTH_OFF,
                      series: `${id}.withoutAuth.cpuMicrosPerCall`,
                    },
                  ]
                : []),
            ]),
          ),
        ]
      : []),
    ...(cpuSpreads.length
      ? [costChart('Cost of auth in server CPU per call: ours / auth off per round (above 1x is the cost)', cpuSpreads)]
      : []),
    bars(
      'Latency (ms): p50 and p99, with auth and with auth off',
      'ms',
      measured.flatMap(({ id, e }) =>
        (['p50', 'p99'] as const).flatMap((p) => [
          { label: `${label(id)} ${p}`, value: e.withAuth[p], color: colors[id], series: `${id}.withAuth.${p}` },
          ...(e.withoutAuth
            ? [{ label: `  ${p}, auth off`, value: e.withoutAuth[p], color: AUTH_OFF, series: `${id}.withoutAuth.${p}` }]
            : []),
        ]),
      ),
    ),
    bars(
      'Verification alone (µs per request)',
      'µs',
      ids.map((id) => ({ label: label(id), value: c.verify[id].microsecondsPerVerification, color: colors[id], series: `${id}.verify` })),
    ),
  ];
  // The tables come from the Markdown so both files say the same; a tiny converter for | tables |.
  const tables = markdown
    .split('\n\n')
    .map((block) => {
      if (block.startsWith('# ')) return `<h1>${escapeHtml(block.slice(2))}</h1>`;
      if (block.startsWith('## ')) {
        const [h, ...rest] = block.split('\n');
        return `<h2>${escapeHtml((h as string).slice(3))}</h2>${rest.length ? `<p>${escapeHtml(rest.join(' '))}</p>` : ''}`;
      }
      if (block.startsWith('|')) {
        const lines = block.split('\n').filter((l) => !/^\|(-+\|)+$/.test(l));
        const cells = (l: string) => l.slice(2, -2).split(' | ');
        const [first, ...body] = lines;
        const td = (cell: string) => {
          const cls = cell.startsWith('blocked')
            ? 'ok'
            : cell.startsWith('**ACCEPTED')
              ? 'bad'
              : cell.startsWith('n/a') || cell.startsWith('not run')
                ? 'na'
                : '';
          return `<td class="${cls}">${escapeHtml(cell.replace(/\*\*/g, ''))}</td>`;
        };
        return `<table><tr>${cells(first as string)
          .map((x) => `<th>${escapeHtml(x)}</th>`)
          .join('')}</tr>${body.map((l) => `<tr>${cells(l).map(td).join('')}</tr>`).join('')}</table>`;
      }
      return `<p>${escapeHtml(block.replace(/\*\*/g, ''))}</p>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MCP auth, three ways: measured</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}td.ok{background:#e6f4ea}td.bad{background:#fce8e6;font-weight:bold}td.na{color:#666}figure{margin:1.5em 0}figcaption{font-weight:bold;margin-bottom:.4em}svg{display:block}.stamp{color:#555;font-size:12px}</style>
</head><body>
<p class="stamp" data-commit="${escapeHtml(c.commit)}">Commit ${escapeHtml(c.commit)} · ${escapeHtml(c.machine.cpus.toString())} x ${escapeHtml(c.machine.cpuModel)}, ${c.machine.memoryGiB} GiB, Node ${escapeHtml(c.machine.node)} · ${escapeHtml(c.generatedAt)}</p>
${tables}
<h2>Charts</h2>
${charts.join('\n')}
</body></html>
`;
}
