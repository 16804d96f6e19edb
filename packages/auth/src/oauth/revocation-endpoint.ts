/**
 * Token revocation (RFC 7009). The client authenticates as at the token endpoint; a token it was
 * issued goes on the revocation list until it would have expired. Tokens that are invalid, expired,
 * or another client's are answered 200 and left alone (§2.2): the answer reveals nothing.
 */

import { createClientAuthenticator, readClientCredentials } from './client-authenticator.js';
import type { OAuthClientStore } from './client-store.js';
import { NO_STORE, OAuthError, type OAuthHttpResponse, toOAuthErrorResponse } from './oauth-error.js';
import type { RevocationList } from './revocation-list.js';

type TokenClaimsRead = { jti?: unknown; exp?: unknown; sub?: unknown; client_id?: unknown };

export interface RevocationEndpointOptions {
  clients: OAuthClientStore;
  revocations: RevocationList;
  /** Verifies a token's signature and issuer; returns its claims or throws (RS256 verifies asynchronously). */
  readToken: (token: string) => TokenClaimsRead | Promise<TokenClaimsRead>;
  realm: string;
  now?: () => number;
}

export function createRevocationEndpoint(options: RevocationEndpointOptions) {
  const authenticator = createClientAuthenticator(options.clients, options.now);
  return {
    async handle(input: { body: unknown; authorization: string | undefined }): Promise<OAuthHttpResponse> {
      try {
        if (typeof input.body !== 'object' || input.body === null || Array.isArray(input.body)) {
          throw new OAuthError('invalid_request', 'The body must be a form');
        }
        const body = input.body as Record<string, unknown>;
        const client = await authenticator.authenticate(readClientCredentials(input.authorization, body));
        const token = body.token;
        if (typeof token !== 'string' || token === '') throw new OAuthError('invalid_request', 'token is required');
        const hint = body.token_type_hint;
        if (hint !== undefined && hint !== 'access_token') {
          throw new OAuthError('unsupported_token_type', 'Only access tokens are issued here');
        }
        let claims: TokenClaimsRead | undefined;
        try {
          claims = await options.readToken(token);
        } catch {
          claims = undefined;
        }
        const owner = claims?.client_id ?? claims?.sub;
        if (claims && owner === client.clientId && typeof claims.jti === 'string' && typeof claims.exp === 'number') {
          await options.revocations.revoke(claims.jti, claims.exp);
        }
        return { status: 200, headers: { ...NO_STORE }, body: undefined };
      } catch (error) {
        if (error instanceof OAuthError) return toOAuthErrorResponse(error, options.realm);
        throw error;
      }
    },
  };
}
