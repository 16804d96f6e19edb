/**
 * `pnpm compare`: starts the three methods on embedded defaults, puts the same attacks to each, checks
 * what each can do (expiry, revocation, per-tool permissions, rotation), measures what each costs,
 * and writes compare.json, compare.md and compare.html. Exits 1 if any method accepted an attack.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { deployAll } from '../deploy/deployment.js';
import { ROOT } from '../deploy/launch.js';
import { ATTACKS, type Attack, apiKeyBattery, jwtBattery, rbacBattery } from './battery.js';
import { endToEndCosts, verifierCosts } from './costs.js';
import { type Comparison, toHtml, toMarkdown } from './report.js';

const seconds = Number(process.env.DUR ?? 3);
const connections = Number(process.env.CONNS ?? 16);
const outDir = process.env.COMPARE_OUT ?? ROOT;
const step = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  step('[1/4] starting the three methods (and each with auth off, as the cost baseline)');
  const deployment = await deployAll(step);
  try {
    step('[2/4] attack battery');
    const methods = [];
    for (const [label, battery] of [
      ['method 1, API keys', apiKeyBattery],
      ['method 2, HS256 JWT', jwtBattery],
      ['method 3, RS256 JWT + RBAC', rbacBattery],
    ] as const) {
      step(`  ${label}`);
      methods.push(await battery(deployment));
    }
    step('[3/4] cost: verification alone');
    const verify = await verifierCosts();
    step(`[4/4] cost: end to end, ${seconds} s per run`);
    const endToEnd = await endToEndCosts(deployment, { connections, seconds }, step);
    const accepted = methods.flatMap((m) =>
      (Object.keys(ATTACKS) as Attack[])
        .filter((a) => m.verdicts[a].status === 'ACCEPTED')
        .map((a) => ({ method: m.label, attack: ATTACKS[a], detail: m.verdicts[a].detail })),
    );
    const comparison: Comparison = {
      generatedAt: new Date().toISOString(),
      machine: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
      },
      settings: { connections, seconds },
      methods,
      verify,
      endToEnd,
      accepted,
    };
    const markdown = toMarkdown(comparison);
    writeFileSync(join(outDir, 'compare.json'), `${JSON.stringify(comparison, null, 2)}\n`);
    writeFileSync(join(outDir, 'compare.md'), markdown);
    writeFileSync(join(outDir, 'compare.html'), toHtml(comparison, markdown));
    step(`\n${markdown}`);
    step(`Wrote compare.json, compare.md and compare.html to ${outDir} in ${Math.round((Date.now() - started) / 1000)} s.`);
    if (accepted.length > 0) {
      step(`FAILED: ${accepted.length} attack(s) accepted: ${accepted.map((a) => `${a.method}: ${a.attack}`).join('; ')}`);
      return 1;
    }
    return 0;
  } finally {
    await deployment.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`compare failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
