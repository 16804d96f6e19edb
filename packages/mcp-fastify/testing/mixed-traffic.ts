/**
 * Mixed traffic from one address, as behind a NAT where one client sends bad credentials: a few
 * connections post `tools/list` until `requests` have been sent, every `badEvery`-th request with a bad credential, the
 * rest with a valid one. Returns the statuses each kind got, the bad ones in the order answered.
 * Test support only: exported under `@mcp-auth/mcp-fastify/testing` from source, never built.
 */

export interface MixedTrafficOptions {
  /** The server's /mcp URL. */
  url: string;
  valid: Record<string, string>;
  /** Headers of the n-th bad request (each may be a new guess). */
  bad: (n: number) => Record<string, string>;
  connections: number;
  /** How many requests in all (a count, not a duration, so a slow machine tests the same thing). */
  requests: number;
  /** One request in this many is bad (5: 20%). */
  badEvery: number;
}

export interface MixedTrafficResult {
  /** Status -> count, for the valid requests. */
  valid: Map<number, number>;
  /** Statuses of the bad requests, in the order their answers arrived. */
  bad: number[];
}

const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export async function mixedTraffic(options: MixedTrafficOptions): Promise<MixedTrafficResult> {
  const result: MixedTrafficResult = { valid: new Map(), bad: [] };
  let sent = 0;
  let badSent = 0;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (sent < options.requests) {
        // The first requests are valid, as a client's first calls would be.
        const isBad = ++sent % options.badEvery === 0;
        const headers = isBad ? options.bad(badSent++) : options.valid;
        const res = await fetch(options.url, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: BODY });
        await res.arrayBuffer();
        if (isBad) result.bad.push(res.status);
        else result.valid.set(res.status, (result.valid.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return result;
}

/** The refusal summary lines (see http/refusal-log.ts) in a process's JSON log output, merged. */
export function refusalCounts(logOutput: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of logOutput.split('\n')) {
    if (!line.includes('"refusals"')) continue;
    const parsed = JSON.parse(line) as { refusals?: Record<string, number> };
    for (const [kind, n] of Object.entries(parsed.refusals ?? {})) counts[kind] = (counts[kind] ?? 0) + n;
  }
  return counts;
}
