/**
 * Turns a parsed POST body into classified JSON-RPC messages, or a 400 reason. Fastify has already
 * parsed the JSON (and answered invalid JSON with a parse error); this checks the JSON-RPC shape.
 */
import { type ClassifiedMessage, classifyMessage } from '../routing/jsonrpc.js';

export type ParsedBody = { ok: true; batch: boolean; messages: ClassifiedMessage[] } | { ok: false; reason: string };

export function parseMessages(body: unknown): ParsedBody {
  const batch = Array.isArray(body);
  const items: unknown[] = batch ? body : [body];
  if (items.length === 0) return { ok: false, reason: 'Invalid Request: empty batch' };
  const messages: ClassifiedMessage[] = [];
  for (const item of items) {
    const classified = classifyMessage(item);
    if ('error' in classified) return { ok: false, reason: `Invalid Request: ${classified.error}` };
    messages.push(classified);
  }
  return { ok: true, batch, messages };
}
