/**
 * The "protocol eras" row of the compare table: which MCP revisions a method's server answers, checked
 * on the wire with the method's own credential rather than stated.
 * - 2026-07-28 (modern): a tools/list with the standard headers and the `_meta` envelope, no session;
 *   the answer must be a list marked `cacheScope: "private"` (it depends on who asks).
 * - 2025-11-25 (legacy Streamable HTTP): an initialize answered with that version and a session id.
 * - 2024-11-05 HTTP+SSE: GET /sse opens a stream whose first event names the POST endpoint.
 * Which clients speak which: the SDK v2 client pins or probes 2026-07-28, the v1 client and most
 * clients in the field speak 2025-11-25, the article's clients the HTTP+SSE transport.
 */

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function modernListWorks(mcpUrl: string, credential: Record<string, string>): Promise<boolean> {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...credential, 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN,
          'io.modelcontextprotocol/clientCapabilities': {},
          'io.modelcontextprotocol/clientInfo': { name: 'mcp-auth-compare', version: '1' },
        },
      },
    }),
  });
  const body = (await res.json().catch(() => undefined)) as { result?: { tools?: unknown; cacheScope?: unknown } } | undefined;
  return res.status === 200 && Array.isArray(body?.result?.tools) && body?.result?.cacheScope === 'private';
}

async function legacyInitializeWorks(mcpUrl: string, credential: Record<string, string>): Promise<boolean> {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...credential },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: 'mcp-auth-compare', version: '1' } },
    }),
  });
  const text = await res.text();
  const session = res.headers.get('mcp-session-id');
  if (session) {
    // Close what was opened: the check must not leave sessions behind.
    await fetch(mcpUrl, { method: 'DELETE', headers: { ...credential, 'mcp-session-id': session } }).then((r) => r.arrayBuffer());
  }
  return res.status === 200 && session !== null && text.includes(`"protocolVersion":"${LEGACY}"`);
}

async function sseStreamOpens(sseUrl: string, credential: Record<string, string>): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 5_000);
  try {
    const res = await fetch(sseUrl, { headers: { accept: 'text/event-stream', ...credential }, signal: abort.signal });
    if (res.status !== 200 || !res.body) return false;
    const reader = res.body.getReader();
    const { value } = await reader.read();
    return new TextDecoder().decode(value).includes('event: endpoint');
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** The eras a server at `baseUrl` answers for `credential` (headers), as the table's cell. */
export async function erasReached(baseUrl: string, credential: Record<string, string>): Promise<string> {
  const checks: Array<[string, Promise<boolean>]> = [
    [`${MODERN} (SDK v2 client)`, modernListWorks(`${baseUrl}/mcp`, credential)],
    [`${LEGACY} (v1 client, most clients today)`, legacyInitializeWorks(`${baseUrl}/mcp`, credential)],
    ['2024-11-05 HTTP+SSE (the article clients)', sseStreamOpens(`${baseUrl}/sse`, credential)],
  ];
  const results = await Promise.all(checks.map(async ([label, ok]) => `${label}: ${(await ok) ? 'yes' : 'FAILED'}`));
  return `${results.join('; ')} (checked)`;
}
