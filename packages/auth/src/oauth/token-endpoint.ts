/**
 * The client-credentials token endpoint (RFC 6749 §4.4), shared by the custom-JWT server (HS256) and
 * the issuer (RS256): the signing is injected. It accepts the reference article's JSON body
 * `{"client_id","client_secret"}` as well as the standard form-encoded request with HTTP Basic or
 * body credentials, optional `scope` and RFC 8707 `resource`. Framework-free: the HTTP adapter hands
 * in the content type, the parsed body and the Authorization header.
 */

import { createClientAuthenticator, readClientCredentials } from './client-authenticator.js';
import type { OAuthClientRecord, OAuthClientStore } from './client-store.js';
import { NO_STORE, OAuthError, type OAuthHttpResponse, toOAuthErrorResponse } from './oauth-error.js';

export interface TokenGrant {
  client: OAuthClientRecord;
  scopes: readonly string[];
  /** The audience the token is for: the requested resource, or the default audience. */
  audience: string;
}

export interface TokenEndpointOptions {
  clients: OAuthClientStore;
  /** Signs the access token for an authenticated, authorised request (RS256 signs asynchronously). */
  issue: (grant: TokenGrant) => { token: string; expiresIn: number } | Promise<{ token: string; expiresIn: number }>;
  /** Audience when the request names no resource. */
  defaultAudience: string;
  /** Resources (RFC 8707) a client may ask for; each becomes the token's `aud`. */
  resources: readonly string[];
  realm: string;
  onClientAuthFailed?: (clientId: string | undefined, reason: string) => void;
  now?: () => number;
}

export interface TokenRequestInput {
  /** `json` for application/json, `form` for application/x-www-form-urlencoded. */
  format: 'json' | 'form';
  body: unknown;
  authorization: string | undefined;
}

function normalizeResource(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.hash) return undefined;
    return url.href;
  } catch {
    return undefined;
  }
}

function singleParam(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new OAuthError('invalid_request', `${name} must not be repeated`);
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${name} must be a string`);
  return value;
}

export function createTokenEndpoint(options: TokenEndpointOptions) {
  const authenticator = createClientAuthenticator(options.clients, options.now);
  const resources = new Map(options.resources.map((r) => [normalizeResource(r) ?? r, r]));

  async function grant(input: TokenRequestInput): Promise<TokenGrant> {
    if (typeof input.body !== 'object' || input.body === null || Array.isArray(input.body)) {
      throw new OAuthError('invalid_request', 'The body must be a form or a JSON object');
    }
    const body = input.body as Record<string, unknown>;
    for (const name of ['grant_type', 'scope', 'resource', 'client_id', 'client_secret']) singleParam(body, name);
    const grantType = singleParam(body, 'grant_type');
    // The article's JSON body has no grant_type; a form request must say what it wants.
    if (grantType === undefined && input.format === 'form') throw new OAuthError('invalid_request', 'grant_type is required');
    if (grantType !== undefined && grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', 'Only grant_type=client_credentials is supported');
    }

    let credentials: ReturnType<typeof readClientCredentials>;
    let client: OAuthClientRecord;
    try {
      credentials = readClientCredentials(input.authorization, body);
      client = await authenticator.authenticate(credentials);
    } catch (error) {
      if (error instanceof OAuthError && error.code === 'invalid_client') {
        options.onClientAuthFailed?.(typeof body.client_id === 'string' ? body.client_id : undefined, error.description);
      }
      throw error;
    }

    const requested = singleParam(body, 'scope')?.split(' ').filter(Boolean);
    const scopes = requested ?? client.scopes;
    const notAllowed = scopes.filter((s) => !client.scopes.includes(s));
    if (notAllowed.length > 0) throw new OAuthError('invalid_scope', `Scope not allowed for this client: ${notAllowed.join(' ')}`);

    const resource = singleParam(body, 'resource');
    let audience = options.defaultAudience;
    if (resource !== undefined) {
      const known = resources.get(normalizeResource(resource) ?? '');
      if (!known) throw new OAuthError('invalid_target', 'Unknown resource; see the protected resource metadata');
      audience = known;
    }
    return { client, scopes, audience };
  }

  return {
    async handle(input: TokenRequestInput): Promise<OAuthHttpResponse> {
      try {
        const request = await grant(input);
        const { token, expiresIn } = await options.issue(request);
        return {
          status: 200,
          headers: { ...NO_STORE },
          body: { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: request.scopes.join(' ') },
        };
      } catch (error) {
        if (error instanceof OAuthError) return toOAuthErrorResponse(error, options.realm);
        throw error;
      }
    },
  };
}
