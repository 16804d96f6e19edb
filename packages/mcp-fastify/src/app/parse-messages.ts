/**
 * Turns a parsed POST body into classified JSON-RPC messages, or the status and reason to refuse it
 * with. Fastify has already parsed the JSON (and answered invalid JSON with a parse error); this checks
 * the JSON-RPC shape and the batch rules.
 *
 * Batches (a JSON array of messages): MCP 2025-03-26 allowed them and 2025-06-18 removed them
 * (changelog: "Remove support for JSON-RPC batching"), so a client speaking 2025-06-18 or later gets
 * 400. Older clients (2025-03-26 Streamable HTTP, 2024-11-05 SSE) may still send them, up to
 * `maxBatchMessages`: each message is a tool call's worth of work, and an uncapped array let one POST
 * of 10,000 messages hold the server for seconds.
 */
import { type ClassifiedMessage, classifyMessage } from '../routing/jsonrpc.js';

/** The first protocol version without JSON-RPC batches. */
export const BATCHES_REMOVED_IN = '2025-06-18';

export interface BatchRules {
  /** The version the request speaks (see protocol-version.ts). */
  readonly protocolVersion: string;
  /** MAX_BATCH_MESSAGES: the most messages one batch may carry. */
  readonly maxBatchMessages: number;
}

export type ParsedBody = { ok: true; batch: boolean; messages: ClassifiedMessage[] } | { ok: false; status: 400 | 413; reason: string };

export function parseMessages(body: unknown, rules: BatchRules): ParsedBody {
  const batch = Array.isArray(body);
  const items: unknown[] = batch ? body : [body];
  if (batch) {
    // Protocol versions are dates (YYYY-MM-DD), so they order as strings.
    if (rules.protocolVersion >= BATCHES_REMOVED_IN) {
      return {
        ok: false,
        status: 400,
        reason: `Invalid Request: JSON-RPC batches are not supported in MCP protocol version ${rules.protocolVersion} (removed in ${BATCHES_REMOVED_IN}); send one message per request`,
      };
    }
    if (items.length === 0) return { ok: false, status: 400, reason: 'Invalid Request: empty batch' };
    if (items.length > rules.maxBatchMessages) {
      return {
        ok: false,
        status: 413,
        reason: `Invalid Request: a batch of ${items.length} messages is more than this server accepts (MAX_BATCH_MESSAGES=${rules.maxBatchMessages}); split it into smaller batches`,
      };
    }
  }
  const messages: ClassifiedMessage[] = [];
  for (const item of items) {
    const classified = classifyMessage(item);
    if ('error' in classified) return { ok: false, status: 400, reason: `Invalid Request: ${classified.error}` };
    messages.push(classified);
  }
  return { ok: true, batch, messages };
}
