/**
 * The issuer's OAuth 2.1 authorization server for people: panva's oidc-provider (OpenID certified),
 * configured for what MCP clients use and nothing more:
 * - authorization code with PKCE, S256 only, required for every client (OAuth 2.1; MCP requires it);
 * - RFC 8707 resource indicators: a token is for exactly one of RESOURCE_SERVERS, which becomes its
 *   only `aud`; a resource this issuer does not serve is refused (invalid_target);
 * - RFC 9207 `iss` in every authorization response (the provider always sends it);
 * - clients: pre-registered ones, Client ID Metadata Documents, and open Dynamic Client Registration;
 * - refresh tokens, rotated on every use; a used one presented again revokes its whole grant (the
 *   provider's reuse detection), with an idle lifetime and an absolute one (the grant's);
 * - RS256 JWT access tokens (RFC 9068) signed with the issuer's current key, carrying the person's
 *   `job_role` and employee `id` like the client-credentials tokens, so resource servers verify both
 *   kinds the same way.
 * Client credentials and the JSON /token form stay with the issuer's own token endpoint (token-routes).
 */
import type { SigningKey } from '@mcp-auth/auth';
import type { ClientMetadata, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { PeopleStore } from '../people/people-store.js';
import { documentFetch } from './client-id-documents.js';
import { errors, interactionPolicy, Provider } from './oidc-provider.js';
import type { ProviderStorage } from './provider-storage.js';
import { refreshTokenTtl } from './refresh-lifetime.js';
import type { SignInRevocations } from './sign-in-revocations.js';

export interface AuthorizationServerOptions {
  readonly issuer: string;
  /** RFC 8707 resource identifiers tokens may be asked for (each becomes the token's only `aud`). */
  readonly resources: readonly string[];
  readonly scopes: ScopeRules;
  readonly accessTokenTtlSeconds: number;
  /** A refresh token unused this long expires (each rotation starts a new one). */
  readonly refreshTokenIdleSeconds: number;
  /** A sign-in's refresh tokens all stop working this long after the person signed in. */
  readonly signInLifetimeSeconds: number;
  readonly cookieKeys: readonly string[];
  readonly production: boolean;
  readonly people: PeopleStore;
  readonly storage: ProviderStorage;
  /** Where each access token of a sign-in is recorded before it is handed out. */
  readonly accessTokens: Pick<SignInRevocations, 'issued'>;
  readonly signingKey: () => SigningKey;
  /** Pre-registered clients (OAUTH_CLIENTS_FILE). */
  readonly clients: readonly ClientMetadata[];
}

/** Which scopes exist, and which of them a person may be given. */
export interface ScopeRules {
  /** Every scope a resource server here accepts. */
  readonly all: readonly string[];
  /** The scopes a person with this role may be granted. */
  grantable(role: string): readonly string[];
}

/** Where the sign-in pages live; the provider sends the browser there and resumes after. */
export const interactionPath = (uid: string) => `/interaction/${uid}`;

export function createAuthorizationServer(options: AuthorizationServerOptions): Provider {
  const { people, scopes } = options;
  const key = options.signingKey();
  const configuration: Configuration = {
    adapter: options.storage.Adapter,
    clients: [...options.clients],
    jwks: { keys: [{ ...(key.privateKey.export({ format: 'jwk' }) as object), kid: key.kid, alg: 'RS256', use: 'sig' }] },
    cookies: {
      keys: [...options.cookieKeys],
      long: { signed: true, httpOnly: true, sameSite: 'lax', secure: options.production },
      short: { signed: true, httpOnly: true, sameSite: 'lax', secure: options.production },
    },
    // Only OAuth for resource servers: no ID tokens are asked for by MCP clients, so `openid` is
    // not offered; `offline_access` is accepted and ignored (every sign-in may refresh, see below).
    // The resource servers' scopes are listed too, since a registering client may name them in its
    // metadata's `scope` (the SDK does); what a token carries for a resource is decided by consent.
    scopes: ['offline_access', ...scopes.all],
    claims: {},
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    // A client's registered `scope` (RFC 7591; the SDK registers the scopes of the first 401) would
    // otherwise be an allow-list, and a step-up to `hr:approve` later would be refused as
    // invalid_scope. What a sign-in may carry is decided by the person's role and consent instead, so
    // the registered value is dropped (for DCR, metadata documents and the clients file alike).
    extraClientMetadata: {
      properties: ['scope'],
      validator: (_ctx, key, _value, metadata) => {
        if (key === 'scope') delete (metadata as { scope?: string }).scope;
      },
    },
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' },
    // Refresh tokens for every sign-in whose client may refresh, whether or not it asked for
    // offline_access: MCP clients rarely ask, and a sign-in that cannot refresh sends the person
    // back to the login page every hour.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: options.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      Grant: options.signInLifetimeSeconds,
      Interaction: 600,
      Session: options.signInLifetimeSeconds,
      RefreshToken: (_ctx, token) =>
        refreshTokenTtl({
          firstIssuedAt: (token as { iiat?: number }).iiat ?? token.iat ?? Math.floor(Date.now() / 1000),
          now: Math.floor(Date.now() / 1000),
          idleSeconds: options.refreshTokenIdleSeconds,
          lifetimeSeconds: options.signInLifetimeSeconds,
        }),
    },
    features: {
      devInteractions: { enabled: false },
      // Off because the resource servers would not honour them: a DPoP-bound token they accept as a
      // plain bearer token is a false promise, and pushed requests have no route here.
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      registration: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      clientIdMetadataDocument: { enabled: true, ack: 'draft-02' },
      resourceIndicators: {
        enabled: true,
        // MCP clients always name the server (RFC 8707); one without is refused rather than given a
        // token for some default audience.
        defaultResource: () => undefined as unknown as string,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (!options.resources.includes(resource)) {
            throw new errors.InvalidTarget(`${resource} is not a resource server of this issuer (RESOURCE_SERVERS)`);
          }
          return {
            scope: scopes.all.join(' '),
            audience: resource,
            accessTokenTTL: options.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256', kid: key.kid } },
          };
        },
      },
    },
    extraTokenClaims: async (_ctx, token) => {
      // Every access token of a sign-in is recorded before it is signed and handed out, here because
      // the provider waits for this (its events it does not): a failure fails the token request, so
      // no token is issued that its sign-in's revocation could not name later.
      if (token.kind === 'AccessToken' && typeof token.grantId === 'string') {
        // `iat` is not set yet: the token is signed with iat = now, so this is its exp or a moment later.
        await options.accessTokens.issued({
          jti: token.jti,
          grantId: token.grantId,
          exp: Math.floor(Date.now() / 1000) + token.expiration,
        });
      }
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const person = typeof accountId === 'string' ? await people.find(accountId) : undefined;
      if (!person) return undefined;
      return { job_role: person.role, id: person.employeeId, name: person.name };
    },
    findAccount: async (_ctx, sub) => {
      const person = await people.find(sub);
      if (!person || person.disabledAt) return undefined;
      return { accountId: person.username, claims: async () => ({ sub: person.username }) };
    },
    interactions: { url: (_ctx, interaction) => interactionPath(interaction.uid), policy: signInPolicy() },
    fetch: documentFetch({ production: options.production }),
    renderError: async (ctx, out) => renderProviderError(ctx, out),
    routes: {
      authorization: '/authorize',
      token: '/token',
      registration: '/register',
      revocation: '/revoke',
      // Not routed (mount.ts): the issuer's /.well-known/jwks.json publishes the whole key ring.
      jwks: '/oidc/jwks',
    },
  };
  const provider = new Provider(options.issuer, configuration);
  // The provider reads the protocol, host and client address from X-Forwarded-* headers, which the
  // mount (mount.ts) always overwrites with what Fastify decided under TRUST_PROXY: one rule for who
  // the client is, and a client cannot choose it.
  provider.proxy = true;
  return provider;
}

/**
 * The provider's login and consent prompts, plus one rule: a person allows each client once per
 * browser session before it gets a token, even when it asks for no scope (the provider alone would
 * skip the consent page then, and the person would never see who is acting for them).
 */
function signInPolicy() {
  const policy = interactionPolicy.base();
  policy.get('consent')?.checks.add(
    new interactionPolicy.Check('first_use', 'the person has not allowed this client yet', (ctx) => {
      const clientId = ctx.oidc.client?.clientId;
      return clientId && ctx.oidc.session?.grantIdFor(clientId)
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT
        : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

/** The provider's error page for a person in a browser: plain, escaped, no request details echoed. */
function renderProviderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) {
  ctx.type = 'html';
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head><body><h1>Sign-in could not continue</h1><p><code>${escapeHtml(out.error)}</code>: ${escapeHtml(out.error_description ?? '')}</p></body></html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
