/**
 * Judging a run against a reviewed expected-failures baseline (the suite's --expected-failures YAML:
 * `server:` entries, `<scenario>` for a whole scenario, `<scenario>:<check-id>` for one check).
 *
 * The rule is the suite's own (src/expected-failures.ts of @modelcontextprotocol/conformance), with
 * one difference: the CLI judges only the scenarios a revision scores, and this judges every scenario
 * it runs. The not-scored ones include behaviour our servers do have (2025-11-25's
 * server-session-lifecycle, 2026-07-28's Mcp-Method/Mcp-Name header validation), so they must pass
 * too, or be in the baseline with a reason like any other.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Check, ScenarioResult } from './suite.js';

export interface BaselineEntry {
  scenario: string;
  /** Only this check may fail; without it the whole scenario may. */
  checkId?: string;
}

export interface Verdict {
  /** Scenarios with no failing check. */
  passed: string[];
  /** Baseline entries that failed, as expected (`scenario` or `scenario:check`). */
  expected: string[];
  /** Failures the baseline does not name: the ones that matter. */
  unexpected: string[];
  /** Baseline entries that passed: the baseline must lose them. */
  stale: string[];
}

export function loadBaseline(file: string): BaselineEntry[] {
  const parsed = (parse(readFileSync(file, 'utf8')) ?? {}) as { server?: unknown };
  const list = parsed.server ?? [];
  if (!Array.isArray(list) || list.some((e) => typeof e !== 'string'))
    throw new Error(`${file}: "server" must be a list of "<scenario>" or "<scenario>:<check-id>" entries`);
  return (list as string[]).map((entry) => {
    const colon = entry.indexOf(':');
    return colon === -1 ? { scenario: entry } : { scenario: entry.slice(0, colon), checkId: entry.slice(colon + 1) };
  });
}

const isFailed = (c: Check) => c.status === 'FAILURE' || c.status === 'WARNING';
const SEVERITY = { FAILURE: 3, WARNING: 2, SUCCESS: 1, SKIPPED: 0, INFO: 0 } as const;

/** Repeated check ids collapse to their most severe occurrence, as in the suite (checks/collapse.ts). */
function collapse(checks: Check[]): Map<string, Check> {
  const byId = new Map<string, Check>();
  for (const check of checks) {
    if (check.status === 'INFO') continue;
    const seen = byId.get(check.id);
    if (!seen || SEVERITY[check.status] >= SEVERITY[seen.status]) byId.set(check.id, check);
  }
  return byId;
}

export function judge(results: ScenarioResult[], baseline: BaselineEntry[]): Verdict {
  const verdict: Verdict = { passed: [], expected: [], unexpected: [], stale: [] };
  for (const { scenario, checks } of results) {
    const failing = checks.some(isFailed);
    if (!failing) verdict.passed.push(scenario);
    const entries = baseline.filter((e) => e.scenario === scenario);
    if (entries.some((e) => e.checkId === undefined)) {
      (failing ? verdict.expected : verdict.stale).push(scenario);
      continue;
    }
    const allowed = new Set(entries.map((e) => e.checkId));
    const collapsed = collapse(checks);
    for (const check of collapsed.values()) {
      if (!isFailed(check)) continue;
      (allowed.has(check.id) ? verdict.expected : verdict.unexpected).push(`${scenario}:${check.id}`);
    }
    // Only a demonstrated pass makes a per-check entry stale; an absent or skipped check says nothing.
    for (const id of allowed) if (collapsed.get(id as string)?.status === 'SUCCESS') verdict.stale.push(`${scenario}:${id}`);
  }
  return verdict;
}

/** The failing checks of the unexpected failures, one line each, for a report or an assertion message. */
export function describeUnexpected(results: ScenarioResult[], verdict: Verdict): string[] {
  return verdict.unexpected.map((entry) => {
    const [scenario, checkId] = entry.split(':') as [string, string];
    const checks = results.find((r) => r.scenario === scenario)?.checks ?? [];
    const check = [...collapse(checks).values()].find((c) => c.id === checkId);
    return `${entry} [${check?.status}]: ${check?.errorMessage ?? check?.description ?? ''}`;
  });
}
