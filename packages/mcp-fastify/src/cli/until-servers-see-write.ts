/**
 * Lets an admin command's "now" be true. A server keeps credential records in memory and asks the
 * database whether another process wrote at most every RECORD_RECHECK_MS (record-cache.ts). A request
 * that a server authenticates more than that interval after the write has therefore either found the
 * cache already re-read since the write, or triggers the re-read itself. Waiting until then before the
 * command returns means any request sent after it returns sees the change, at every server on the
 * database, however loaded.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RECORD_RECHECK_MS } from '@mcp-auth/auth';

/** Resolves once every server's record cache must have seen a write committed at `committedAt` (ms). */
export async function untilServersSeeWrite(committedAt: number): Promise<void> {
  // Strictly later than committedAt + interval: the cache's own check is `elapsed >= interval`, and a
  // check in the commit's millisecond may have read just before it.
  const due = committedAt + RECORD_RECHECK_MS + 1;
  for (let left = due - Date.now(); left > 0; left = due - Date.now()) await sleep(left);
}
