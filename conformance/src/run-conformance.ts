/**
 * One server under the suite: started with its credential, put behind the credential proxy, and run
 * for each revision against the reviewed baseline of that revision (baseline/<revision>.yaml).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judge, loadBaseline, type Verdict } from './baseline.js';
import { startCredentialProxy } from './credential-proxy.js';
import { type RunningServer, type ServerName, startServer } from './servers.js';
import { type Revision, runSuite, type SuiteRun } from './suite.js';

export const baselineFile = (revision: Revision) => join(import.meta.dirname, '..', 'baseline', `${revision}.yaml`);

export interface ServerBehindProxy {
  server: RunningServer;
  /** The MCP endpoint as the suite sees it: the proxy's /mcp. */
  mcpUrl: string;
  stop(): Promise<void>;
}

export async function startBehindProxy(name: ServerName): Promise<ServerBehindProxy> {
  const workDir = mkdtempSync(join(tmpdir(), `conformance-${name}-`));
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  let server: RunningServer;
  try {
    server = await startServer(name, workDir);
  } catch (error) {
    removeWorkDir();
    throw error;
  }
  const proxy = await startCredentialProxy({ target: server.url, header: server.credential });
  return {
    server,
    mcpUrl: `${proxy.url}/mcp`,
    stop: async () => {
      await proxy.close();
      await server.stop();
      removeWorkDir();
    },
  };
}

export interface RevisionResult {
  server: ServerName;
  revision: Revision;
  run: SuiteRun;
  verdict: Verdict;
}

export async function runRevision(target: ServerBehindProxy, revision: Revision, timeoutMs?: number): Promise<RevisionResult> {
  const expectedFailures = baselineFile(revision);
  const run = await runSuite({ url: target.mcpUrl, revision, expectedFailures, timeoutMs });
  return { server: target.server.name, revision, run, verdict: judge(run.scenarios, loadBaseline(expectedFailures)) };
}
