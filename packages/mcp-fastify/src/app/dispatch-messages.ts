/**
 * Hands the messages of one POST to the hub. A single message goes at once. A batch goes one message
 * per turn of the event loop: the SDK does each message's synchronous work (schema validation, the
 * start of the tool handler) as soon as it is dispatched, so a batch dispatched in one loop ran back
 * to back while every other client's request waited in the socket queue (10,000 messages held other
 * clients for seconds). With setImmediate between messages, the I/O of other requests is served
 * between any two messages of a batch. A batch whose client went away is not dispatched further.
 */
import type { MessageExtraInfo } from '@modelcontextprotocol/server';
import type { FastifyBaseLogger } from 'fastify';
import type { ClassifiedMessage } from '../routing/jsonrpc.js';
import type { MessageSink } from '../routing/message-sink.js';
import type { McpSession } from '../sessions/session-registry.js';
import type { ToolServerHub } from './tool-server-hub.js';

export function dispatchMessages(
  hub: ToolServerHub,
  messages: readonly ClassifiedMessage[],
  sink: MessageSink,
  extra: MessageExtraInfo,
  session: McpSession | undefined,
  log: FastifyBaseLogger,
): void {
  const [first, ...rest] = messages;
  if (first) hub.dispatch(first.kind, first.message, sink, extra, session);
  let next = 0;
  const step = () => {
    if (!sink.open) return;
    const m = rest[next++];
    if (!m) return;
    try {
      hub.dispatch(m.kind, m.message, sink, extra, session);
    } catch (error) {
      // Outside the route handler now, so nothing else would catch it: log and go on with the batch.
      log.error({ err: error }, 'dispatching a batch message failed');
    }
    if (next < rest.length) setImmediate(step);
  };
  if (rest.length > 0) setImmediate(step);
}
