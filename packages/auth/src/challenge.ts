/**
 * Maps an AuthError to an HTTP status, a `WWW-Authenticate` challenge and a JSON body, once, for every
 * server here. RFC 6750 §3: no `error` attribute when no credentials were sent; `invalid_token` (401)
 * for bad, expired or revoked credentials; `insufficient_scope` (403) when the principal may not act;
 * `invalid_request` (400) for an ambiguous or malformed request. RFC 9728 §5.1 adds `resource_metadata`.
 * `scope`: on a 401, what to ask for to use the server (options.scope); on a 403, every scope the
 * refused operation needs (the error's requiredScope, MCP's runtime insufficient-scope rule).
 */
import type { AuthError } from './errors.js';

export interface ChallengeOptions {
  /** Protection space shown to clients, e.g. "apikey-server". */
  realm: string;
  /** RFC 9728 protected-resource metadata URL, for servers that have one (the JWT servers). */
  resourceMetadataUrl?: string | undefined;
  /**
   * What a client should ask for to use this server (RFC 6750 §3 `scope`), named in every 401
   * challenge: MCP clients take the 401's `scope` first when they choose what to request.
   */
  scope?: string | undefined;
}

export interface HttpChallenge {
  statusCode: 400 | 401 | 403 | 503;
  wwwAuthenticate: string;
  body: { error: string; error_description: string };
}

/** RFC 7230 quoted-string: backslash-escape `"` and `\`; drop control characters. */
function quote(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return `"${value.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/["\\]/g, '\\$&')}"`;
}

export function toHttpChallenge(error: AuthError, options: ChallengeOptions): HttpChallenge {
  const params: string[] = [`realm=${quote(options.realm)}`];
  let statusCode: HttpChallenge['statusCode'] = 401;
  let oauthError: string;
  switch (error.code) {
    case 'missing_credentials':
      oauthError = 'unauthorized'; // body only: the challenge itself must not carry an error code
      if (options.scope) params.push(`scope=${quote(options.scope)}`);
      break;
    case 'invalid_request':
      statusCode = 400;
      oauthError = 'invalid_request';
      params.push(`error=${quote(oauthError)}`, `error_description=${quote(error.description)}`);
      break;
    case 'invalid_credentials':
    case 'expired_credentials':
    case 'revoked_credentials':
      oauthError = 'invalid_token';
      params.push(`error=${quote(oauthError)}`, `error_description=${quote(error.description)}`);
      if (options.scope) params.push(`scope=${quote(options.scope)}`);
      break;
    case 'temporarily_unavailable':
      // Not the client's fault: no challenge error code, a 503 the client may retry.
      statusCode = 503;
      oauthError = 'temporarily_unavailable';
      break;
    case 'insufficient_scope':
      statusCode = 403;
      oauthError = 'insufficient_scope';
      params.push(`error=${quote(oauthError)}`, `error_description=${quote(error.description)}`);
      if (error.requiredScope) params.push(`scope=${quote(error.requiredScope)}`);
      break;
  }
  if (options.resourceMetadataUrl) params.push(`resource_metadata=${quote(options.resourceMetadataUrl)}`);
  return {
    statusCode,
    wwwAuthenticate: `Bearer ${params.join(', ')}`,
    body: { error: oauthError, error_description: error.description },
  };
}
