/** autocannon runs of tools/call, shared by pnpm compare and pnpm bench. */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** CPU time the server process spent per answered call (all its threads), when its pid was given. */
  cpuMicrosPerCall?: number;
}

/** User + system CPU time of a process so far, in microseconds (Linux /proc; clock ticks are 10 ms). */
export function processCpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-06-18',
};

export function toolCall(name: string, args: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
}

/** Probes once (the call must succeed), warms up, then measures. */
export async function load(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { connections: number; seconds: number; serverPid?: number | undefined },
): Promise<LoadResult> {
  const probe = await fetch(url, { method: 'POST', headers, body });
  const text = await probe.text();
  if (probe.status !== 200 || !text.includes('"result"') || text.includes('"isError":true')) {
    throw new Error(`probe of ${url} failed: ${probe.status} ${text.slice(0, 300)}`);
  }
  await autocannon({ url, method: 'POST', headers, body, connections: options.connections, duration: 1 });
  const cpuBefore = options.serverPid ? processCpuMicros(options.serverPid) : 0;
  const r = await autocannon({ url, method: 'POST', headers, body, connections: options.connections, duration: options.seconds });
  const answered = r.requests.total - r.non2xx - r.errors;
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    ...(options.serverPid && answered > 0
      ? { cpuMicrosPerCall: Math.round((processCpuMicros(options.serverPid) - cpuBefore) / answered) }
      : {}),
  };
}

export async function openSession(url: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const init = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    }),
  });
  await init.text();
  const id = init.headers.get('mcp-session-id');
  if (!id) throw new Error('no session id from initialize');
  const withSession = { ...headers, 'mcp-session-id': id };
  await (
    await fetch(url, {
      method: 'POST',
      headers: withSession,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    })
  ).text();
  return withSession;
}
