/**
 * Fastify routes for an OAuth authorization server that issues client-credentials tokens:
 * POST /token, POST /revoke, RFC 8414 metadata, and GET /authorize (which only says the response
 * type is unsupported; see metadata.ts). Both JSON and form bodies are accepted. /token and /revoke
 * are rate-limited per client IP before the body is read and per client id after, with 429 and
 * Retry-After, so a client id cannot be brute-forced from many addresses either.
 */
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import { claimedClientId, type OAuthHttpResponse, repeatedCredentialHeader, type TokenRequestInput } from '@mcp-auth/auth';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRetryableUnavailable, sendUnavailable } from '../http/unavailable.js';
import { windowCounterStore } from '../shared-state/rate-limit-store.js';

export interface OAuthRoutesOptions {
  token: { handle(input: TokenRequestInput): Promise<OAuthHttpResponse> };
  revocation?: { handle(input: { body: unknown; authorization: string | undefined }): Promise<OAuthHttpResponse> };
  metadata: Record<string, unknown>;
  rateLimit: { perClientPerMinute: number; perIpPerMinute: number };
  bodyLimitBytes?: number;
  /**
   * Another component serving people's sign-ins at the same endpoints (the issuer's authorization
   * server): /token requests for these grant types, and /revoke requests it claims, are handed to it
   * with the body already read (and rate-limited here first). GET /authorize is then its too.
   */
  signIns?: {
    grantTypes: readonly string[];
    claimsRevocation(form: Record<string, unknown>, authorization: string | undefined): boolean | Promise<boolean>;
    handOff(request: FastifyRequest, reply: FastifyReply, form: Record<string, unknown>): void;
  };
}

function send(reply: FastifyReply, response: OAuthHttpResponse) {
  reply.code(response.status).headers(response.headers);
  return response.body === undefined ? reply.send() : reply.type('application/json').send(response.body);
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.code(status).header('cache-control', 'no-store').type('application/json').send({ error, error_description: description });
}

/** The per-client limit's key: the client id the request claims (decoded as authentication decodes it), bounded. */
function perClientKey(request: FastifyRequest): string {
  const body = (request.body ?? {}) as Record<string, unknown>;
  return claimedClientId(request.headers.authorization, body)?.slice(0, 64) ?? '(none)';
}

export async function registerOAuthRoutes(app: FastifyInstance, options: OAuthRoutesOptions): Promise<void> {
  app.get('/.well-known/oauth-authorization-server', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(options.metadata),
  );
  if (!options.signIns) {
    app.get('/authorize', async (_request, reply) =>
      oauthError(reply, 400, 'unsupported_response_type', 'This server issues tokens by client credentials only; use POST /token'),
    );
  }
  const { signIns } = options;
  const formOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;

  await app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: options.bodyLimitBytes ?? 16_384 });
    // With REDIS_URL the counts are every replica's (shared-state/rate-limit-store.ts).
    await scope.register(rateLimit, { global: false, ...(app.windows.shared ? { store: windowCounterStore(app.windows) } : {}) });
    const perIp = scope.createRateLimit({ max: options.rateLimit.perIpPerMinute, timeWindow: 60_000, keyGenerator: (r) => `ip:${r.ip}` });
    const perClient = scope.createRateLimit({
      max: options.rateLimit.perClientPerMinute,
      timeWindow: 60_000,
      keyGenerator: (r) => `client:${perClientKey(r)}`,
    });
    const limited = (reply: FastifyReply, ttlInSeconds: number, what: string) =>
      oauthError(
        reply.header('retry-after', String(Math.max(1, ttlInSeconds))),
        429,
        'temporarily_unavailable',
        `Too many ${what}; retry later`,
      );

    scope.addHook('onRequest', async (request, reply) => {
      // createRateLimit's isAllowed only reports the allow list; isExceeded is the verdict.
      const verdict = await perIp(request);
      if (!verdict.isAllowed && verdict.isExceeded) {
        app.refusals.refused(request.log, {
          kind: 'token endpoint rate limit (per address)',
          address: request.ip,
          level: 'warn',
          message: 'token endpoint rate limit hit (per IP)',
        });
        return limited(reply, verdict.ttlInSeconds, 'requests from this address');
      }
      // RFC 6749 §3.2: parameters must not be sent more than once. Node would keep only the first
      // Authorization header, so the client would be authenticated by one of two credentials.
      if (repeatedCredentialHeader(request.raw.rawHeaders) === 'authorization') {
        return oauthError(reply, 400, 'invalid_request', 'More than one Authorization header was sent');
      }
    });
    scope.addHook('preHandler', async (request, reply) => {
      const verdict = await perClient(request);
      if (!verdict.isAllowed && verdict.isExceeded) {
        app.refusals.refused(request.log, {
          kind: 'token endpoint rate limit (per client)',
          address: request.ip,
          level: 'warn',
          message: 'token endpoint rate limit hit (per client)',
          fields: { clientId: perClientKey(request) },
        });
        return limited(reply, verdict.ttlInSeconds, 'requests for this client');
      }
    });
    // Body problems answer in OAuth's error shape, not JSON-RPC's.
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.statusCode === 413) return oauthError(reply, 413, 'invalid_request', 'The request body is too large');
      if (error.statusCode === 415)
        return oauthError(reply, 400, 'invalid_request', 'Use application/x-www-form-urlencoded or application/json');
      if (error.statusCode && error.statusCode < 500)
        return oauthError(reply, 400, 'invalid_request', 'The request body could not be parsed');
      if (isRetryableUnavailable(error)) return sendUnavailable(request, reply, error);
      request.log.error({ err: error }, 'token endpoint failed');
      return oauthError(reply, 500, 'server_error', 'Internal server error');
    });

    const format = (request: FastifyRequest): TokenRequestInput['format'] =>
      (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json') ? 'json' : 'form';

    scope.post('/token', async (request, reply) => {
      const grantType = formOf(request).grant_type;
      if (signIns && typeof grantType === 'string' && signIns.grantTypes.includes(grantType)) {
        signIns.handOff(request, reply, formOf(request));
        return reply;
      }
      return send(
        reply,
        await options.token.handle({ format: format(request), body: request.body ?? {}, authorization: request.headers.authorization }),
      );
    });
    const revocation = options.revocation;
    if (revocation) {
      scope.post('/revoke', async (request, reply) => {
        if (signIns && (await signIns.claimsRevocation(formOf(request), request.headers.authorization))) {
          signIns.handOff(request, reply, formOf(request));
          return reply;
        }
        return send(reply, await revocation.handle({ body: request.body ?? {}, authorization: request.headers.authorization }));
      });
    }
  });
}

/**
 * The token endpoint's `onClientAuthFailed`, for every app that serves /token: failed client
 * authentications go through the app's refusal log (first of a kind in full, then counted).
 */
export function logClientAuthFailures(app: FastifyInstance): (clientId: string | undefined, reason: string) => void {
  return (clientId, reason) =>
    app.refusals.refused(app.log, {
      kind: `client authentication failed: ${reason}`,
      level: 'warn',
      message: 'client authentication failed',
      fields: { clientId, reason },
    });
}

/** RFC 9728 metadata at the root and at the path-suffixed locations clients derive from /mcp and /sse. */
export function registerProtectedResourceMetadata(app: FastifyInstance, metadata: Record<string, unknown>): void {
  for (const path of [
    '/.well-known/oauth-protected-resource',
    '/.well-known/oauth-protected-resource/mcp',
    '/.well-known/oauth-protected-resource/sse',
  ]) {
    app.get(path, async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(metadata));
  }
}
