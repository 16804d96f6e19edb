/**
 * Which MCP protocol version a POST speaks, for the rules that differ by version (batches). The spec
 * (2025-06-18 and later, basic/transports "Protocol Version Header"): the `MCP-Protocol-Version`
 * header names it; without the header a server uses the version negotiated at initialization if it
 * knows it, and otherwise SHOULD assume 2025-03-26. The legacy HTTP+SSE transport predates both, so a
 * /messages POST from a session that never finished initialize is taken as 2024-11-05.
 */

/** What the spec says to assume for a Streamable HTTP request with no header and no session. */
export const ASSUMED_STREAMABLE_HTTP_VERSION = '2025-03-26';
/** The version of the HTTP+SSE transport (GET /sse, POST /messages). */
export const LEGACY_SSE_VERSION = '2024-11-05';

export function requestProtocolVersion(header: string | undefined, negotiated: string | undefined, assumed: string): string {
  return header ?? negotiated ?? assumed;
}
