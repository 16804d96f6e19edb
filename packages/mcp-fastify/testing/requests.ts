/**
 * Test support: MCP requests sent with `fetch` as a client without an SDK sends them (one stateless
 * JSON-RPC POST to `/mcp`, no session), and a bounded pool to send many at once.
 */

const MCP_POST_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** POSTs one JSON-RPC request to `${base}/mcp` with `credential`'s headers (`{ authorization: 'Bearer ...' }`, `{ 'x-api-key': ... }`). */
export function postMcp(base: string, credential: Record<string, string>, method: string, params?: unknown): Promise<Response> {
  return fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { ...credential, ...MCP_POST_HEADERS },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params === undefined ? {} : { params }) }),
  });
}

/** `tools/call` of `name` with `args`. */
export const callTool = (base: string, credential: Record<string, string>, name: string, args: Record<string, unknown>) =>
  postMcp(base, credential, 'tools/call', { name, arguments: args });

/** Runs `jobs` with at most `width` in flight; results in the jobs' order. */
export async function inPool<T>(jobs: Array<() => Promise<T>>, width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await (jobs[i] as () => Promise<T>)();
      }
    }),
  );
  return results;
}
