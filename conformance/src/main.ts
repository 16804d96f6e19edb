/**
 * pnpm conformance [--server NAME]... [--revision 2025-11-25|2026-07-28]...
 *
 * Runs the official MCP conformance suite (server scenarios, per revision's requirement set) against
 * each server behind the credential proxy and prints, per server and revision, what passed, what the
 * baseline expects to fail and anything else. Exit 1 when any run is not clean.
 */
import { parseArgs } from 'node:util';
import { formatReport, isClean } from './report.js';
import { runRevision, startBehindProxy } from './run-conformance.js';
import { SERVER_NAMES, type ServerName } from './servers.js';
import { REVISIONS, type Revision } from './suite.js';

function choose<T extends string>(given: string[] | undefined, known: readonly T[], flag: string): T[] {
  for (const value of given ?? []) if (!known.includes(value as T)) throw new Error(`--${flag} ${value} is not one of ${known.join(', ')}`);
  return given?.length ? (given as T[]) : [...known];
}

const USAGE = `Usage: pnpm conformance [--server NAME]... [--revision REVISION]...

Runs the official MCP conformance suite (server scenarios of each revision's requirement set) against
each server behind a proxy that adds its credential, and reports per server and revision.
  --server    ${SERVER_NAMES.join(', ')} (default: all)
  --revision  ${REVISIONS.join(', ')} (default: both)
Exit 1 when a scenario fails that baseline/<revision>.yaml does not name, or one it names passes.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string', multiple: true },
      revision: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const servers = choose<ServerName>(values.server, SERVER_NAMES, 'server');
  const revisions = choose<Revision>(values.revision, REVISIONS, 'revision');
  let clean = true;
  for (const name of servers) {
    const target = await startBehindProxy(name);
    try {
      for (const revision of revisions) {
        const started = Date.now();
        const result = await runRevision(target, revision);
        clean &&= isClean(result);
        console.log(`${formatReport(result)}\n  (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      }
    } finally {
      await target.stop();
    }
  }
  return clean ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
