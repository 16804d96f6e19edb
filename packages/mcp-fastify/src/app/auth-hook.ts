/**
 * The one place credentials are checked: an onRequest hook on every MCP route (so before the body is
 * even parsed), and the one place an AuthError becomes an HTTP answer with its RFC 6750 challenge.
 */
import {
  AuthError,
  type ChallengeOptions,
  type Credential,
  extractCredential,
  isAuthError,
  type Principal,
  type ServerAccess,
  type ToolScopeRule,
  toHttpChallenge,
  type Verifier,
} from '@mcp-auth/auth';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { RefusalLog } from '../http/refusal-log.js';
import type { FailedAuthLimiter } from './failed-auth-limiter.js';

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
  return buildAuthInfo(presentedToken(credential), principal, access);
}

function buildAuthInfo(token: string, principal: Principal, access: ServerAccess | undefined): AuthInfo {
  return Object.freeze({
    token,
    clientId: principal.clientId,
    scopes: Object.freeze([...principal.scopes]) as string[],
    ...(principal.expiresAt !== undefined ? { expiresAt: principal.expiresAt } : {}),
    extra: Object.freeze({ principal, access }),
  });
}

/**
 * One AuthInfo per (Principal, access, presented token), reused across requests. Verifiers return
 * one frozen Principal per token or key record, and access decisions are made once per Principal, so
 * building an AuthInfo per request was wasted work. The AuthInfo is frozen because requests share it
 * (the SDK only reads and spreads it: it never writes authInfo, checked in @modelcontextprotocol/
 * server and core 2.4.0). The token is compared as well as the Principal, since an API key's
 * Principal is per record and the key may be presented in a header or by Basic (token ''):
 * `authInfo.token` is always what this request presented. A mutable Principal is never cached.
 */
function createAuthInfoCache() {
  const cached = new WeakMap<Principal, AuthInfo>();
  return (credential: Credential, principal: Principal, access: ServerAccess | undefined): AuthInfo => {
    const token = presentedToken(credential);
    const hit = cached.get(principal);
    if (hit !== undefined && hit.token === token && (hit.extra as { access?: unknown }).access === access) return hit;
    const authInfo = buildAuthInfo(token, principal, access);
    if (Object.isFrozen(principal)) cached.set(principal, authInfo);
    return authInfo;
  };
}

export function sendAuthError(reply: FastifyReply, error: Parameters<typeof toHttpChallenge>[0], challenge: ChallengeOptions) {
  const answer = toHttpChallenge(error, challenge);
  if (answer.statusCode === 503) reply.header('retry-after', '5');
  return reply.code(answer.statusCode).header('www-authenticate', answer.wwwAuthenticate).type('application/json').send(answer.body);
}

// Attempts with credentials that failed count against the address; a request with none, two at
// once, a role refused or an issuer out of reach does not.
const COUNTED_FAILURES = new Set(['invalid_credentials', 'expired_credentials', 'revoked_credentials']);

export interface AuthHookOptions {
  verifier: Verifier;
  challenge: ChallengeOptions;
  decideAccess?: ((principal: Principal) => ServerAccess) | undefined;
  /** Per-tool scopes: a token with none of this server's scopes (nor `mcp`) is refused 403 here. */
  scopes?: ToolScopeRule | undefined;
  /** Failed authentications per address (see failed-auth-limiter.ts); none: unlimited. */
  limiter?: FailedAuthLimiter | undefined;
  refusals: RefusalLog;
}

export function createAuthHook(options: AuthHookOptions) {
  const { verifier, challenge, decideAccess, scopes, limiter, refusals } = options;
  const authInfoOf = createAuthInfoCache();

  function tooManyFailures(request: FastifyRequest, reply: FastifyReply, address: string, wait: number) {
    refusals.refused(request.log, {
      kind: 'too many failed authentications',
      address,
      level: 'warn',
      message: 'too many failed authentications from this address',
    });
    return reply
      .code(429)
      .header('retry-after', String(wait))
      .type('application/json')
      .send({ error: 'too_many_requests', error_description: 'Too many failed authentications from this address; retry later' });
  }

  function refuse(request: FastifyRequest, reply: FastifyReply, address: string, error: AuthError, credential: Credential | undefined) {
    if (COUNTED_FAILURES.has(error.code)) {
      // A credential that did not even parse is refused like any other once the address is over its limit.
      const wait = credential === undefined ? limiter?.retryAfter(address, undefined) : undefined;
      if (wait !== undefined) return tooManyFailures(request, reply, address, wait);
      limiter?.failed(address, credential);
    }
    const verb = error.code === 'insufficient_scope' ? 'access denied' : 'authentication failed';
    // The reason is logged; the credential never is (see http/logger.ts).
    refusals.refused(request.log, {
      kind: `${verb}: ${error.description}`,
      address,
      level: 'info',
      message: verb,
      fields: { auth: { rejected: error.code, reason: error.description } },
    });
    return sendAuthError(reply, error, challenge);
  }

  /** Puts what the request is now known to be on it; throws AuthError for a token without this server's scopes. */
  function admit(request: FastifyRequest, credential: Credential, principal: Principal) {
    limiter?.verified(credential);
    const access = decideAccess?.(principal);
    // After the role: a role refused this server is told so, not sent to re-authorize for nothing.
    if (scopes && !scopes.admits(principal.scopes)) {
      throw new AuthError('insufficient_scope', `Token carries no scope for this server; ask for ${scopes.challengeScope}`, {
        requiredScope: scopes.challengeScope,
      });
    }
    request.principal = principal;
    request.access = access ?? null;
    request.authInfo = authInfoOf(credential, principal, access);
  }

  /** A failed step: an AuthError is refused here; anything else goes to `done`, so Fastify answers the generic 500. */
  function failed(
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
    address: string,
    credential: Credential | undefined,
    error: unknown,
  ) {
    if (!isAuthError(error)) return done(error as Error);
    refuse(request, reply, address, error, credential);
  }

  // A callback hook, not an async one: verifiers answer from memory on nearly every call (a known
  // key, a token already verified), and a promise per request cost each call its microtask turns.
  // Only a verification that must wait (a JWKS fetch) goes through a promise. A refusal is sent and
  // `done` is not called (Fastify's rule for callback hooks that answer).
  return function authenticate(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const address = request.ip;
    let credential: Credential;
    try {
      // Raw headers too: Node keeps only the first of two Authorization headers (RFC 6750 §3.1).
      credential = extractCredential(request.headers, request.raw.rawHeaders);
    } catch (error) {
      return failed(request, reply, done, address, undefined, error);
    }
    const wait = limiter?.retryAfter(address, credential);
    if (wait !== undefined) {
      tooManyFailures(request, reply, address, wait);
      return;
    }
    let verified: Principal | Promise<Principal>;
    try {
      verified = verifier.verify(credential);
      if (!(verified instanceof Promise)) admit(request, credential, verified);
    } catch (error) {
      return failed(request, reply, done, address, credential, error);
    }
    // Outside the try: what runs after this hook must never reach `failed` and call done a second time.
    if (!(verified instanceof Promise)) return done();
    verified.then(
      (principal) => {
        try {
          admit(request, credential, principal);
        } catch (error) {
          return failed(request, reply, done, address, credential, error);
        }
        done();
      },
      (error: unknown) => failed(request, reply, done, address, credential, error),
    );
  };
}

/** The benchmark baseline's hook: no credential check at all, one anonymous principal (a callback hook, as authenticate is). */
export function createAnonymousHook() {
  const principal: Principal = { id: 'anonymous', method: 'api-key', subject: 'anonymous', clientId: 'anonymous', scopes: [] };
  const authInfo: AuthInfo = { token: '', clientId: 'anonymous', scopes: [], extra: { principal, access: undefined } };
  return function anonymous(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
    request.principal = principal;
    request.authInfo = authInfo;
    done();
  };
}
