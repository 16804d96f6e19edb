/**
 * `pnpm compare`: starts the three methods on embedded defaults (or, with `--targets FILE`, uses
 * servers it did not start), puts the same attacks to each, checks what each can do (expiry,
 * revocation, per-tool permissions, rotation), measures what each costs, and writes compare.json,
 * compare.md and compare.html. Exits 1 if any method accepted an attack, 2 on bad usage.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describePlacement, placeLoadGenerator } from '../deploy/cpu-placement.js';
import { type Deployment, deployAll } from '../deploy/deployment.js';
import { ROOT } from '../deploy/launch.js';
import { ATTACKS, type Attack, apiKeyBattery, jwtBattery, type MethodResult, rbacBattery } from './battery.js';
import { endToEndCosts, type ServerPids, verifierCosts } from './costs.js';
import { localTargets } from './local-targets.js';
import { type Comparison, toHtml, toMarkdown } from './report.js';
import { checkReachable, readTargets, type Targets, TargetsError } from './targets.js';

const USAGE = `Usage: pnpm compare [--targets FILE]

Without --targets, starts all three methods on embedded defaults in a temporary folder (and each
with auth off, as the cost baseline), and stops them at the end.

--targets FILE   compare servers that are already running: a JSON file naming each method's URLs
                 and credentials (see bench/targets.example.json). Methods the file leaves out are
                 skipped; attacks that need a secret the file does not give are reported "not run".

ROUNDS (rounds of with-auth and auth-off runs, alternating, default 5), DUR (seconds per load run,
default 2) and CONNS (connections, default 16) tune the cost runs;
COMPARE_OUT sets where the reports go (default: the repository root).`;

const seconds = Number(process.env.DUR ?? 2);
const rounds = Number(process.env.ROUNDS ?? 5);
const connections = Number(process.env.CONNS ?? 16);
const outDir = process.env.COMPARE_OUT ?? ROOT;
const step = (line: string) => process.stdout.write(`${line}\n`);

/** The commit the run is built from, for the stamp on the reports. */
function currentCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { targets: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    step(USAGE);
    return 0;
  }
  if (!Number.isInteger(rounds) || rounds < 1) {
    process.stderr.write(`ROUNDS must be a whole number of 1 or more (got ${process.env.ROUNDS}); 5 is the default\n`);
    return 1;
  }
  const started = Date.now();
  let deployment: Deployment | undefined;
  let targets: Targets | undefined;
  let source: string;
  let placement: string | undefined;
  if (values.targets) {
    // pnpm runs this script in bench/; a relative path means where the user typed the command.
    const path = resolve(process.env.INIT_CWD ?? process.cwd(), values.targets);
    step(`[1/4] checking the servers named in ${path}`);
    targets = readTargets(path);
    await checkReachable(targets);
    source = path;
  } else {
    step('[1/4] starting the three methods (and each with auth off, as the cost baseline)');
    // Servers on a core of their own, this process (the load generator) on the others: see cpu-placement.ts.
    const cores = placeLoadGenerator();
    placement = describePlacement(cores);
    deployment = await deployAll(step, cores);
    source = 'embedded defaults, started by this run';
  }
  try {
    targets ??= await localTargets(deployment as Deployment);
    step('[2/4] attack battery');
    const methods: MethodResult[] = [];
    if (targets.apikey) {
      step('  method 1, API keys');
      methods.push(await apiKeyBattery(targets.apikey));
    }
    if (targets.jwt) {
      step('  method 2, HS256 JWT');
      methods.push(await jwtBattery(targets.jwt));
    }
    if (targets.rbac) {
      step('  method 3, RS256 JWT + RBAC');
      methods.push(await rbacBattery(targets.rbac));
    }
    step('[3/4] cost: verification alone');
    const verify = await verifierCosts();
    step(`[4/4] cost: end to end, ${rounds} rounds of ${seconds} s per run, alternating with auth off`);
    // Server CPU per call is read from /proc, so only for the servers this run started.
    const pids: ServerPids = deployment
      ? {
          apikey: { server: deployment.apikey.server.child.pid, twin: deployment.apikey.open.child.pid },
          jwt: { server: deployment.jwt.server.child.pid, twin: deployment.jwt.open.child.pid },
          rbac: { server: deployment.rbac.hr.child.pid, twin: deployment.rbac.hrOpen.child.pid },
        }
      : {};
    const endToEnd = await endToEndCosts(targets, { connections, seconds, rounds }, step, pids);
    const accepted = methods.flatMap((m) =>
      (Object.keys(ATTACKS) as Attack[])
        .filter((a) => m.verdicts[a].status === 'ACCEPTED')
        .map((a) => ({ method: m.label, attack: ATTACKS[a], detail: m.verdicts[a].detail })),
    );
    const comparison: Comparison = {
      generatedAt: new Date().toISOString(),
      commit: currentCommit(),
      machine: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
      },
      settings: { connections, seconds, rounds, ...(placement ? { placement } : {}) },
      targets: source,
      methods,
      verify,
      endToEnd,
      accepted,
    };
    const markdown = toMarkdown(comparison);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'compare.json'), `${JSON.stringify(comparison, null, 2)}\n`);
    writeFileSync(join(outDir, 'compare.md'), markdown);
    writeFileSync(join(outDir, 'compare.html'), toHtml(comparison, markdown));
    step(`\n${markdown}`);
    step(`Wrote compare.json, compare.md and compare.html to ${outDir} in ${Math.round((Date.now() - started) / 1000)} s.`);
    const notRun = methods.flatMap((m) => (Object.keys(ATTACKS) as Attack[]).filter((a) => m.verdicts[a].status === 'not run'));
    if (notRun.length > 0) step(`${notRun.length} attack(s) not run: the targets file did not give what they need (see the table).`);
    if (accepted.length > 0) {
      step(`FAILED: ${accepted.length} attack(s) accepted: ${accepted.map((a) => `${a.method}: ${a.attack}`).join('; ')}`);
      return 1;
    }
    return 0;
  } finally {
    await deployment?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = error instanceof TargetsError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (usage) process.stderr.write(`compare: ${(error as Error).message}\n${error instanceof TargetsError ? '' : `\n${USAGE}\n`}`);
    else process.stderr.write(`compare failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(usage ? 2 : 1);
  },
);
