/**
 * JSON-RPC 2.0 message shapes, checked structurally. The SDK validates each request's params against
 * its method's schema afterwards; this only decides whether a body is JSON-RPC at all (400 if not)
 * and what kind of message each element is, without a second full schema parse on the hot path.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';

export const JSONRPC_PARSE_ERROR = -32700;
export const JSONRPC_INVALID_REQUEST = -32600;
export const JSONRPC_INTERNAL_ERROR = -32603;
/** Implementation-defined server errors (-32000..-32099), as the SDK's transports use them. */
export const JSONRPC_SERVER_ERROR = -32000;

export type MessageKind = 'request' | 'notification' | 'response';

export interface ClassifiedMessage {
  readonly kind: MessageKind;
  readonly message: JSONRPCMessage;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is RequestId => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Returns what kind of JSON-RPC message `value` is, or a reason it is not one. */
export function classifyMessage(value: unknown): ClassifiedMessage | { error: string } {
  if (!isObject(value)) return { error: 'a JSON-RPC message must be an object' };
  if (value.jsonrpc !== '2.0') return { error: 'jsonrpc must be "2.0"' };
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method === '') return { error: 'method must be a non-empty string' };
    if (value.params !== undefined && !isObject(value.params)) return { error: 'params must be an object' };
    if (!('id' in value)) return { kind: 'notification', message: value as JSONRPCMessage };
    if (!isId(value.id)) return { error: 'id must be a string or a number' };
    return { kind: 'request', message: value as JSONRPCMessage };
  }
  if (!isId(value.id)) return { error: 'a response needs a string or number id' };
  if ('result' in value ? 'error' in value : !isObject(value.error)) {
    return { error: 'a response has either result or error' };
  }
  return { kind: 'response', message: value as JSONRPCMessage };
}

/** A JSON-RPC error object sent with an HTTP error status, as the SDK's transports do. */
export function jsonRpcError(code: number, message: string, id: RequestId | null = null) {
  return { jsonrpc: '2.0' as const, error: { code, message }, id };
}
