/**
 * How oidc-provider (a Koa app) is served inside the issuer's Fastify app. The provider's own routes
 * (/authorize and its resume step, /register) are handed the raw request before
 * Fastify reads the body; /token and /revoke stay Fastify routes, which pass the grants and tokens of
 * people's sign-ins on (token-routes.ts) with the body they already read replayed.
 *
 * The root hooks of the issuer's app still run first for every request: the per-address rate limit,
 * the Host/Origin checks and the request log.
 */
import { IncomingMessage } from 'node:http';
import { stringify } from 'node:querystring';
import type { FastifyInstance, FastifyReply, FastifyRequest } from '@mcp-auth/mcp-fastify';
import type Provider from 'oidc-provider';
import type { ProviderHolder } from './provider-holder.js';

export type ProviderHandoff = (request: FastifyRequest, reply: FastifyReply, parsedForm?: Record<string, unknown>) => void;

/**
 * Hands a request to the provider. Fastify's verdict on the client (TRUST_PROXY) replaces whatever
 * X-Forwarded-* the client sent, since the provider trusts those headers (provider.ts). When Fastify
 * has already read the body (`parsedForm`), a copy of the request with that body re-encoded as a form
 * is passed instead, so the provider reads a body as it would from the socket.
 */
export function providerHandoff(providers: ProviderHolder): ProviderHandoff {
  const handlers = new WeakMap<Provider, ReturnType<Provider['callback']>>();
  const handlerOf = (provider: Provider) => {
    const known = handlers.get(provider);
    if (known) return known;
    const handle = provider.callback();
    handlers.set(provider, handle);
    return handle;
  };
  return (request, reply, parsedForm) => {
    const handle = handlerOf(providers.current());
    const raw = parsedForm ? replay(request.raw, parsedForm) : request.raw;
    raw.headers['x-forwarded-proto'] = request.protocol;
    raw.headers['x-forwarded-host'] = request.host;
    raw.headers['x-forwarded-for'] = request.ip;
    reply.hijack();
    void handle(raw, reply.raw);
  };
}

function replay(original: IncomingMessage, form: Record<string, unknown>): IncomingMessage {
  const body = Buffer.from(stringify(form as Record<string, string | string[]>));
  const copy = new IncomingMessage(original.socket);
  copy.method = original.method;
  copy.url = original.url;
  copy.httpVersion = original.httpVersion;
  copy.headers = { ...original.headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) };
  delete copy.headers['transfer-encoding'];
  copy.push(body);
  copy.push(null);
  // As Node's parser marks a request it has read whole; otherwise the copy counts as aborted when it
  // is destroyed after its end, and Node then destroys the socket with it (an empty reply).
  copy.complete = true;
  return copy;
}

/**
 * The provider's own routes: every method on these paths goes to it unread. Its OIDC discovery
 * document is not among them: the issuer's one metadata document is RFC 8414's (it also names client
 * credentials and the full key set, which the provider does not know), and MCP clients read that.
 */
const PROVIDER_PATHS = [/^\/authorize(\/[^/]+)?$/, /^\/register$/];

export function registerProviderRoutes(app: FastifyInstance, handoff: ProviderHandoff): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (!PROVIDER_PATHS.some((p) => p.test(path))) return;
    handoff(request, reply);
    return reply;
  });
}
