/** Response headers as Fastify's `reply.getHeaders()` returns them, carried over to a hijacked response. */
export type ReplyHeaders = Record<string, string | number | string[] | undefined>;
