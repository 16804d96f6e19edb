// The official MCP conformance suite (server scenarios, each revision's requirement set) against
// every server of the workspace, through the credential proxy, judged against the reviewed baseline
// of the revision (baseline/<revision>.yaml): every scenario the set runs, scored or not, passes
// unless the baseline names it, and no baseline entry passes (a stale one must be removed).
import { readlinkSync, realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeUnexpected } from '../src/baseline.js';
import { type RevisionResult, runRevision, type ServerBehindProxy, startBehindProxy } from '../src/run-conformance.js';
import { SERVER_NAMES } from '../src/servers.js';
import { failedChecks, NODE_22, type Revision, requirementSet, runSuite } from '../src/suite.js';

const SUITE_TIMEOUT_MS = 150_000;
const TEST_TIMEOUT_MS = 180_000;

function expectClean(result: RevisionResult, revision: Revision): void {
  const { scored, notScored } = requirementSet(revision);
  // Every scenario of the set ran: an empty or cut-short run must not pass for a clean one.
  expect(result.run.scenarios.map((s) => s.scenario).sort(), result.run.output).toEqual([...scored, ...notScored].sort());
  expect(describeUnexpected(result.run.scenarios, result.verdict)).toEqual([]);
  expect(result.verdict.stale).toEqual([]);
  // The CLI's own verdict on the scored scenarios, against the same baseline.
  expect(result.run.exitCode, result.run.output).toBe(0);
}

describe.each(SERVER_NAMES)('%s under the conformance suite', (name) => {
  let target: ServerBehindProxy;
  beforeAll(async () => {
    target = await startBehindProxy(name);
  });
  afterAll(() => target?.stop());

  it('runs on the workspace Node, not on the Node 22 that runs the suite', () => {
    const node22 = realpathSync(NODE_22);
    expect(realpathSync(process.execPath)).not.toBe(node22);
    expect(readlinkSync(`/proc/${target.server.pid}/exe`)).not.toBe(node22);
  });

  it('refuses the suite without the credential: it passes only through the proxy', async () => {
    const direct = await runSuite({
      url: `${target.server.url}/mcp`,
      revision: '2025-11-25',
      scenario: 'ping',
      timeoutMs: SUITE_TIMEOUT_MS,
    });
    expect(direct.exitCode).toBe(1);
    expect(failedChecks(direct.scenarios[0] ?? { scenario: 'ping', checks: [] }).map((c) => c.errorMessage)).toEqual([
      expect.stringContaining('Authentication required'),
    ]);
  });

  it(
    '2025-11-25: every scenario passes but those of the baseline (the suite fixture surface)',
    async () => expectClean(await runRevision(target, '2025-11-25', SUITE_TIMEOUT_MS), '2025-11-25'),
    TEST_TIMEOUT_MS,
  );

  it(
    '2026-07-28: every scenario passes but those of the baseline (the suite fixture surface)',
    async () => expectClean(await runRevision(target, '2026-07-28', SUITE_TIMEOUT_MS), '2026-07-28'),
    TEST_TIMEOUT_MS,
  );
});
