/**
 * Token and revocation endpoint errors (RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 8707 §2). Mapped to HTTP
 * once, in `toOAuthErrorResponse`.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'unsupported_response_type';

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}

export interface OAuthHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown> | undefined;
}

/** Token responses and their errors must never be cached (RFC 6749 §5.1). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

export function toOAuthErrorResponse(error: OAuthError, realm: string): OAuthHttpResponse {
  const headers: Record<string, string> = { ...NO_STORE };
  let status = 400;
  if (error.code === 'invalid_client') {
    // RFC 6749 §5.2: 401 with a challenge for the client authentication scheme.
    status = 401;
    headers['www-authenticate'] = `Basic realm="${realm.replace(/["\\]/g, '')}", charset="UTF-8"`;
  }
  return { status, headers, body: { error: error.code, error_description: error.description } };
}
