/** Plain-text report of a revision run: what passed, what the baseline excused, what it did not. */
import { describeUnexpected } from './baseline.js';
import type { RevisionResult } from './run-conformance.js';
import { requirementSet } from './suite.js';

/** Whether the run is clean: nothing unexpected, nothing stale, and the CLI itself agrees (exit 0). */
export const isClean = ({ run, verdict }: RevisionResult) =>
  run.exitCode === 0 && verdict.unexpected.length === 0 && verdict.stale.length === 0;

export function formatReport(result: RevisionResult): string {
  const { server, revision, run, verdict } = result;
  const { notScored } = requirementSet(revision);
  const mark = (scenario: string) => (notScored.includes(scenario) ? `${scenario} (not scored)` : scenario);
  const lines = [
    `${isClean(result) ? 'PASS' : 'FAIL'} ${server} ${revision}: ${verdict.passed.length} passed, ${verdict.expected.length} expected failures (baseline), ` +
      `${verdict.unexpected.length} unexpected, ${verdict.stale.length} stale; conformance CLI exit ${run.exitCode}`,
    `  passed: ${verdict.passed.map(mark).join(', ') || '(none)'}`,
  ];
  for (const line of describeUnexpected(run.scenarios, verdict)) lines.push(`  UNEXPECTED ${line}`);
  for (const entry of verdict.stale) lines.push(`  STALE (passes now, remove it from the baseline) ${entry}`);
  if (run.scenarios.length === 0) lines.push(`  no scenario ran; the CLI said:\n${run.output}`);
  return lines.join('\n');
}
