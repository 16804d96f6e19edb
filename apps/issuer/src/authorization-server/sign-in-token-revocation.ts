/**
 * RFC 7009 /revoke for an access token of a person's sign-in (a JWT, which the provider cannot
 * revoke: it keeps no copy). The token is read like any of the issuer's tokens (signature and
 * issuer); when it was issued to the client asking, it goes on the deny list, and so does its whole
 * sign-in: the grant's refresh tokens are deleted and its other access tokens denied (RFC 7009 §2.1
 * allows revoking the grant with the token; a client revoking an access token is signing the person
 * out). As at the client-credentials revocation, another client's or an unreadable token is answered
 * 200 and left alone (§2.2). These clients are public (no secret): the token itself is the proof, and
 * revoking a token you hold only takes access away.
 */
import type { RevocationList } from '@mcp-auth/auth';
import type { SignInRevocations } from './sign-in-revocations.js';

type Claims = { jti?: unknown; exp?: unknown; client_id?: unknown };

export interface SignInTokenRevocationOptions {
  readToken(token: string): Promise<Claims>;
  revocations: RevocationList;
  signIns: SignInRevocations;
  /** Deletes what the provider keeps for a grant (refresh tokens, codes, the grant). */
  forgetGrant(grantId: string): Promise<void>;
}

/** Whether a /revoke form carries a JWT (three base64url parts), not an opaque refresh token. */
export const looksLikeJwt = (token: unknown): boolean => typeof token === 'string' && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

export function signInTokenRevocation(options: SignInTokenRevocationOptions) {
  const json = (status: number, body?: Record<string, string>) => ({
    status,
    headers: { 'cache-control': 'no-store' } as Record<string, string>,
    body,
  });
  return {
    async handle(input: { body: unknown; authorization: string | undefined; clientId: string | undefined }) {
      const form = (input.body ?? {}) as Record<string, unknown>;
      if (!input.clientId) return json(400, { error: 'invalid_request', error_description: 'client_id is required' });
      if (typeof form.token !== 'string' || form.token === '')
        return json(400, { error: 'invalid_request', error_description: 'token is required' });
      let claims: Claims | undefined;
      try {
        claims = await options.readToken(form.token);
      } catch {
        claims = undefined;
      }
      if (claims?.client_id !== input.clientId || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') return json(200);
      await options.revocations.revoke(claims.jti, claims.exp);
      const grantId = await options.signIns.grantOf(claims.jti);
      if (grantId) {
        await options.forgetGrant(grantId);
        await options.signIns.grantRevoked(grantId);
      }
      return json(200);
    },
  };
}
