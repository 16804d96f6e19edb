/** autocannon runs of tools/call, shared by pnpm compare and pnpm bench, in either protocol era. */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** 2xx responses whose body was not a tools/call result of the era asked for (see answersToolCall). */
  mismatches?: number;
  /** CPU time the server process spent per answered call (all its threads), when its pid was given. */
  cpuMicrosPerCall?: number;
}

/** User + system CPU time of a process so far, in microseconds (Linux /proc; clock ticks are 10 ms). */
export function processCpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/**
 * The two eras a client may speak. legacy: 2025-era requests (initialize, optional sessions), the
 * shape this bench has always sent. modern: 2026-07-28, where every request describes itself and
 * there is no initialize and no session.
 */
export type Era = 'legacy' | 'modern';
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
export const LEGACY_PROTOCOL_VERSION = '2025-06-18';

export const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': LEGACY_PROTOCOL_VERSION,
};

export function toolCall(name: string, args: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
}

/**
 * A 2026-07-28 tools/call exactly as ../shared/peer-bench drives the SDK v2 peer: the standard headers
 * (MCP-Protocol-Version, and the REQUIRED Mcp-Method and Mcp-Name that let a server route and
 * authorize before the body), and the per-request `_meta` envelope that replaces initialize (the SDK's
 * PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY and CLIENT_INFO_META_KEY).
 */
export function modernToolCall(name: string, args: Record<string, unknown>): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN_PROTOCOL_VERSION,
      'mcp-method': 'tools/call',
      'mcp-name': name,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name,
        arguments: args,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN_PROTOCOL_VERSION,
          'io.modelcontextprotocol/clientCapabilities': {},
          'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' },
        },
      },
    }),
  };
}

/** The JSON-RPC messages of a response body: one JSON object, or the `data:` lines of an SSE stream. */
function messagesOf(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return [JSON.parse(trimmed)];
    } catch {
      return [];
    }
  }
  const messages: unknown[] = [];
  for (const line of trimmed.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    try {
      messages.push(JSON.parse(line.slice(5)));
    } catch {
      // not JSON: not a message this check can accept
    }
  }
  return messages;
}

/**
 * Why a response is not a real answer to the tools/call this bench sent (id 1), or undefined when it is
 * one: HTTP 200, a JSON-RPC result (not an error) that is not a tool error, carrying content. A
 * 2026-07-28 result must also carry `resultType` (the revision says servers implementing it MUST
 * include the field, and the SDK strips it from 2025-era answers), so a server that answers the modern
 * request with a legacy result is told apart from one that serves the modern era.
 */
export function toolCallProblem(era: Era, status: number, text: string): string | undefined {
  const excerpt = text.trim().replace(/\s+/g, ' ').slice(0, 200);
  if (status !== 200) return `HTTP ${status}: ${excerpt}`;
  const answer = messagesOf(text).find((m) => (m as { id?: unknown } | null)?.id === 1) as
    | { result?: { isError?: unknown; content?: unknown; resultType?: unknown }; error?: { code?: unknown; message?: unknown } }
    | undefined;
  if (!answer) return `no JSON-RPC response to the call: ${excerpt}`;
  if (answer.error) return `JSON-RPC error ${String(answer.error.code)}: ${String(answer.error.message)}`;
  const result = answer.result;
  if (!result || !Array.isArray(result.content)) return `no tools/call result: ${excerpt}`;
  if (result.isError === true) return `the tool answered an error: ${excerpt}`;
  if (era === 'modern' && result.resultType !== 'complete')
    return `a result without resultType "complete", so not a ${MODERN_PROTOCOL_VERSION} answer: ${excerpt}`;
  return undefined;
}

/**
 * The per-response check made under load, where a full parse would cost the load generator (which shares
 * the cores with the server) more than the call it checks: the markers toolCallProblem looks for.
 */
export function answersToolCall(era: Era): (body: string | Buffer | undefined) => boolean {
  const marker = era === 'modern' ? '"resultType":"complete"' : '"result"';
  return (raw) => {
    // autocannon hands over the body as a string (it concatenates the chunks); a Buffer is read as text.
    const body = String(raw ?? '');
    return body.includes(marker) && !body.includes('"isError":true');
  };
}

/** One tools/call; why it was not answered, or undefined when it was. */
export async function probeToolCall(url: string, headers: Record<string, string>, body: string, era: Era): Promise<string | undefined> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return toolCallProblem(era, response.status, await response.text());
}

/** Probes once (the call must succeed), warms up, then measures; every response is checked (mismatches). */
export async function load(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { connections: number; seconds: number; serverPid?: number | undefined; era?: Era },
): Promise<LoadResult> {
  const era = options.era ?? 'legacy';
  const problem = await probeToolCall(url, headers, body, era);
  if (problem) throw new Error(`probe of ${url} failed: ${problem}`);
  const verifyBody = answersToolCall(era);
  await autocannon({ url, method: 'POST', headers, body, connections: options.connections, duration: 1 });
  const cpuBefore = options.serverPid ? processCpuMicros(options.serverPid) : 0;
  const r = await autocannon({
    url,
    method: 'POST',
    headers,
    body,
    verifyBody,
    connections: options.connections,
    duration: options.seconds,
  });
  const answered = r.requests.total - r.non2xx - r.errors;
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    mismatches: r.mismatches,
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
      params: { protocolVersion: LEGACY_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
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
