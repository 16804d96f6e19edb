/**
 * The one place credentials are checked: an onRequest hook on every MCP route (so before the body is
 * even parsed), and the one place an AuthError becomes an HTTP answer with its RFC 6750 challenge.
 */
import {
  type ChallengeOptions,
  type Credential,
  extractCredential,
  isAuthError,
  type Principal,
  type ServerAccess,
  toHttpChallenge,
  type Verifier,
} from '@mcp-auth/auth';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { FastifyReply, FastifyRequest } from 'fastify';

function presentedToken(credential: Credential): string {
  switch (credential.kind) {
    case 'bearer':
      return credential.token;
    case 'api-key-header':
      return credential.key;
    case 'basic':
      return '';
  }
}

export function toAuthInfo(credential: Credential, principal: Principal, access: ServerAccess | undefined): AuthInfo {
  return {
    token: presentedToken(credential),
    clientId: principal.clientId,
    scopes: [...principal.scopes],
    ...(principal.expiresAt !== undefined ? { expiresAt: principal.expiresAt } : {}),
    extra: { principal, access },
  };
}

export function sendAuthError(reply: FastifyReply, error: Parameters<typeof toHttpChallenge>[0], challenge: ChallengeOptions) {
  const answer = toHttpChallenge(error, challenge);
  if (answer.statusCode === 503) reply.header('retry-after', '5');
  return reply.code(answer.statusCode).header('www-authenticate', answer.wwwAuthenticate).type('application/json').send(answer.body);
}

/** Limits failed authentications per client address (see McpAppOptions.authFailuresPerMinute). */
export interface FailureThrottle {
  retryAfter(request: FastifyRequest): Promise<number | undefined>;
  recordFailure(request: FastifyRequest): Promise<void>;
}

export function createAuthHook(
  verifier: Verifier,
  challenge: ChallengeOptions,
  decideAccess?: (principal: Principal) => ServerAccess,
  throttle?: FailureThrottle,
) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const wait = await throttle?.retryAfter(request);
    if (wait !== undefined) {
      request.log.warn({ ip: request.ip }, 'too many failed authentications from this address');
      return reply
        .code(429)
        .header('retry-after', String(wait))
        .type('application/json')
        .send({ error: 'too_many_requests', error_description: 'Too many failed authentications from this address; retry later' });
    }
    try {
      const credential = extractCredential(request.headers);
      const principal = await verifier.verify(credential);
      const access = decideAccess?.(principal);
      request.principal = principal;
      request.access = access ?? null;
      request.authInfo = toAuthInfo(credential, principal, access);
    } catch (error) {
      if (!isAuthError(error)) throw error;
      // Attempts with credentials that failed count; a request with none, or a role refused, does not.
      if (error.code === 'invalid_credentials' || error.code === 'expired_credentials' || error.code === 'revoked_credentials') {
        await throttle?.recordFailure(request);
      }
      // The reason is logged; the credential never is (see http/logger.ts).
      request.log.info(
        { auth: { rejected: error.code, reason: error.description } },
        error.code === 'insufficient_scope' ? 'access denied' : 'authentication failed',
      );
      return sendAuthError(reply, error, challenge);
    }
  };
}

/** The benchmark baseline's hook: no credential check at all, one anonymous principal. */
export function createAnonymousHook() {
  const principal: Principal = { id: 'anonymous', method: 'api-key', subject: 'anonymous', clientId: 'anonymous', scopes: [] };
  const authInfo: AuthInfo = { token: '', clientId: 'anonymous', scopes: [], extra: { principal, access: undefined } };
  return async function anonymous(request: FastifyRequest) {
    request.principal = principal;
    request.authInfo = authInfo;
  };
}
