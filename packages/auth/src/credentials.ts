/**
 * Reads the one credential a request carries from its headers, and nothing else: never the query
 * string or the body (MCP authorization spec; RFC 6750 §2.3 query tokens leak into logs and history).
 * Scheme names are case-insensitive (RFC 7235 §2.1). A request with two different credentials is
 * ambiguous and refused (RFC 6750 §3.1 `invalid_request`), and so is a request with two
 * `Authorization` or two `X-API-Key` headers, even equal ones. Node keeps only the first of two
 * `Authorization` headers and joins two `X-API-Key` values with a comma, so that is read from the
 * raw headers, the header lines as they were sent.
 */
import { AuthError } from './errors.js';

export type Credential =
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'api-key-header'; readonly key: string };

/** Header bag as Node exposes it: lower-case names, string or string[] values. */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

function single(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) {
    if (value.length > 1) throw new AuthError('invalid_request', `More than one ${name} header was sent`);
    return value[0];
  }
  return value;
}

/**
 * The credential header sent more than once, if any: `rawHeaders` is Node's [name, value, name,
 * value, ...], the header lines as they came.
 */
export function repeatedCredentialHeader(rawHeaders: readonly string[]): 'authorization' | 'x-api-key' | undefined {
  let authorization = 0;
  let apiKey = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    // Lengths first: most header names are neither, and lower-casing every name would cost more.
    if (name.length === 13 && name.toLowerCase() === 'authorization') authorization++;
    else if (name.length === 9 && name.toLowerCase() === 'x-api-key') apiKey++;
  }
  return authorization > 1 ? 'authorization' : apiKey > 1 ? 'x-api-key' : undefined;
}

// token68 (RFC 7235 §2.1): what may follow "Bearer ".
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

function parseAuthorization(value: string): Credential {
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  const scheme = (space === -1 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const rest = space === -1 ? '' : trimmed.slice(space + 1).trim();
  if (scheme === 'bearer') {
    if (!rest) throw new AuthError('invalid_credentials', 'The Bearer credential is empty');
    if (!TOKEN68.test(rest)) throw new AuthError('invalid_credentials', 'The Bearer credential is malformed');
    return { kind: 'bearer', token: rest };
  }
  if (scheme === 'basic') {
    if (!rest || !/^[A-Za-z0-9+/]+=*$/.test(rest)) {
      throw new AuthError('invalid_credentials', 'The Basic credential is not valid base64');
    }
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw new AuthError('invalid_credentials', 'The Basic credential is not of the form user:password');
    return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  throw new AuthError('invalid_credentials', 'Unsupported authorization scheme; use Bearer');
}

/**
 * Returns the request's credential, or throws `missing_credentials` when there is none.
 * `X-API-Key` and `Authorization` together are accepted only when they carry the same key.
 * `rawHeaders` (Node's `IncomingMessage.rawHeaders`) is how a repeated header is seen at all.
 */
export function extractCredential(headers: HeaderBag, rawHeaders?: readonly string[]): Credential {
  const repeated = rawHeaders && repeatedCredentialHeader(rawHeaders);
  if (repeated) throw new AuthError('invalid_request', `More than one ${repeated} header was sent`);
  const authorization = single(headers, 'authorization');
  const apiKey = single(headers, 'x-api-key')?.trim();
  const fromAuthorization = authorization?.trim() ? parseAuthorization(authorization) : undefined;
  if (apiKey) {
    if (fromAuthorization && !(fromAuthorization.kind === 'bearer' && fromAuthorization.token === apiKey)) {
      throw new AuthError('invalid_request', 'Send one credential: X-API-Key and Authorization disagree');
    }
    return { kind: 'api-key-header', key: apiKey };
  }
  if (fromAuthorization) return fromAuthorization;
  throw new AuthError('missing_credentials', 'Authentication required');
}
