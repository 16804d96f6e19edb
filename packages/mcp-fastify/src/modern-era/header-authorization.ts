/**
 * Authorization from the headers, before the body is read (MCP 2026-07-28, basic/transports: every
 * Streamable HTTP POST carries `Mcp-Method`, and `Mcp-Name` for tools/call, so that intermediaries can
 * route and authorize without parsing JSON). For a 2026-07-28 `tools/call`, the tool named in
 * `Mcp-Name` is checked against the caller's role and token scopes in the onRequest phase, right after
 * authentication: a denied call is refused without its body being read or any tool code running.
 *
 * The header is a claim about the body, so the body is held to it afterwards: the SDK's ladder answers
 * 400 HeaderMismatch (-32020) when `Mcp-Name` or `Mcp-Method` disagree with the body, before dispatch
 * (modern-era-handler.ts). When the headers do not name a tool the kit can decide on (missing or
 * malformed `Mcp-Name`), the same rules run on the body instead (`undecidedFromHeaders`).
 */
import { type MessageExtraInfo, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { roleRefusal, TOOL_REFUSED_CODE } from '../app/tool-access.js';
import { jsonRpcError } from '../routing/jsonrpc.js';

/** The first protocol revision of the modern era; later revisions compare greater (they are dates). */
export const FIRST_MODERN_PROTOCOL_VERSION = '2026-07-28';

const BASE64_SENTINEL = /^=\?base64\?((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)\?=$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? undefined : value;
}

/** Whether the request says, in its MCP-Protocol-Version header, that it speaks the modern era. */
export function speaksModernEra(request: FastifyRequest): boolean {
  const version = header(request, 'mcp-protocol-version');
  return version !== undefined && version >= FIRST_MODERN_PROTOCOL_VERSION;
}

/**
 * Whether the POST is the modern era's to answer: its header names a modern revision, or its body (or
 * any element of a batch) carries a `_meta` protocol-version claim that is not a 2025-era revision
 * (a malformed claim included: the SDK's ladder refuses it). The SDK's entry then classifies it again
 * and answers; a request that claims neither is the legacy era's, malformed or not, with the legacy
 * era's errors.
 */
export function claimsModernEra(request: FastifyRequest): boolean {
  if (speaksModernEra(request)) return true;
  const items: unknown[] = Array.isArray(request.body) ? request.body : [request.body];
  return items.some((item) => {
    const meta = (item as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
    if (typeof meta !== 'object' || meta === null || !(PROTOCOL_VERSION_META_KEY in meta)) return false;
    const claimed = meta[PROTOCOL_VERSION_META_KEY];
    return typeof claimed !== 'string' || claimed >= FIRST_MODERN_PROTOCOL_VERSION;
  });
}

/**
 * `Mcp-Name` as the client meant it: values that are not plain header text travel as
 * `=?base64?<standard base64 of the UTF-8>?=` (transports, "Standard Headers"). Undefined when the
 * sentinel's payload is not canonical base64.
 */
export function decodeMcpName(value: string): string | undefined {
  if (!value.startsWith('=?base64?')) return value;
  const match = BASE64_SENTINEL.exec(value);
  return match ? Buffer.from(match[1] ?? '', 'base64').toString('utf8') : undefined;
}

/** The tool a 2026-07-28 tools/call names in its headers, or undefined when the headers do not say. */
export function toolNamedInHeaders(request: FastifyRequest): string | undefined {
  if (request.method !== 'POST' || !speaksModernEra(request) || header(request, 'mcp-method') !== 'tools/call') return undefined;
  const name = header(request, 'mcp-name');
  return name === undefined ? undefined : decodeMcpName(name);
}

export interface HeaderAuthorizationOptions {
  serverName: string;
  /** The per-tool scope check both eras share (scope-guard.ts). */
  refuseUncoveredCalls: (request: FastifyRequest, reply: FastifyReply, tools: readonly string[]) => FastifyReply | undefined;
  onDenied: (tool: string, extra: MessageExtraInfo) => void;
}

const decidedFromHeaders = new WeakSet<FastifyRequest>();

/** True when the call's tool could not be authorized from the headers, so the body's must be. */
export function undecidedFromHeaders(request: FastifyRequest): boolean {
  return !decidedFromHeaders.has(request);
}

/** The role refusal both eras share, answered for a modern request: 403 and a JSON-RPC error saying why. */
export function refuseForRole(
  request: FastifyRequest,
  reply: FastifyReply,
  tool: string,
  options: HeaderAuthorizationOptions,
): FastifyReply | undefined {
  const refusal = roleRefusal(request.access ?? undefined, tool, options.serverName);
  if (!refusal) return undefined;
  options.onDenied(tool, { authInfo: request.authInfo ?? undefined });
  return reply.code(403).type('application/json').send(jsonRpcError(TOOL_REFUSED_CODE, refusal));
}

/**
 * The onRequest hook, registered after authentication on the MCP routes. A callback hook, as the auth
 * hook is: it decides synchronously, and an async hook cost every request a promise. A refusal is sent
 * and `done` is not called (Fastify's rule for callback hooks that answer).
 */
export function createHeaderAuthorization(options: HeaderAuthorizationOptions) {
  return function authorizeFromHeaders(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const tool = request.routeOptions.url === '/mcp' ? toolNamedInHeaders(request) : undefined;
    if (tool === undefined) return done();
    decidedFromHeaders.add(request);
    const refused = refuseForRole(request, reply, tool, options) ?? options.refuseUncoveredCalls(request, reply, [tool]);
    if (!refused) done();
  };
}
