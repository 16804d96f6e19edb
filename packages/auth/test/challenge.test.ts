import { describe, expect, it } from 'vitest';
import { AuthError, toHttpChallenge } from '../src/index.js';

const options = { realm: 'hr-server' };

describe('toHttpChallenge (RFC 6750 §3)', () => {
  it('missing credentials: 401 and no error attribute', () => {
    const c = toHttpChallenge(new AuthError('missing_credentials', 'Authentication required'), options);
    expect(c.statusCode).toBe(401);
    expect(c.wwwAuthenticate).toBe('Bearer realm="hr-server"');
  });

  it.each(['invalid_credentials', 'expired_credentials', 'revoked_credentials'] as const)('%s: 401 invalid_token', (code) => {
    const c = toHttpChallenge(new AuthError(code, 'Token expired'), options);
    expect(c.statusCode).toBe(401);
    expect(c.wwwAuthenticate).toBe('Bearer realm="hr-server", error="invalid_token", error_description="Token expired"');
    expect(c.body).toEqual({ error: 'invalid_token', error_description: 'Token expired' });
  });

  it('insufficient scope: 403 with the scope', () => {
    const c = toHttpChallenge(
      new AuthError('insufficient_scope', 'Role Employee may not use crm-server', { requiredScope: 'crm' }),
      options,
    );
    expect(c.statusCode).toBe(403);
    expect(c.wwwAuthenticate).toBe(
      'Bearer realm="hr-server", error="insufficient_scope", error_description="Role Employee may not use crm-server", scope="crm"',
    );
  });

  it('invalid request: 400', () => {
    expect(toHttpChallenge(new AuthError('invalid_request', 'two credentials'), options).statusCode).toBe(400);
  });

  it('adds resource_metadata (RFC 9728 §5.1) when given, also to the bare challenge', () => {
    const c = toHttpChallenge(new AuthError('missing_credentials', 'x'), {
      realm: 'r',
      resourceMetadataUrl: 'https://h/.well-known/oauth-protected-resource',
    });
    expect(c.wwwAuthenticate).toBe('Bearer realm="r", resource_metadata="https://h/.well-known/oauth-protected-resource"');
  });

  it('names the scope to ask for on every 401 (MCP: scope SHOULD be in the 401), and the needed scopes on a 403', () => {
    const withScope = {
      realm: 'hr-server',
      resourceMetadataUrl: 'https://h/.well-known/oauth-protected-resource',
      scope: 'hr:read hr:write',
    };
    expect(toHttpChallenge(new AuthError('missing_credentials', 'x'), withScope).wwwAuthenticate).toBe(
      'Bearer realm="hr-server", scope="hr:read hr:write", resource_metadata="https://h/.well-known/oauth-protected-resource"',
    );
    expect(toHttpChallenge(new AuthError('expired_credentials', 'Token expired'), withScope).wwwAuthenticate).toBe(
      'Bearer realm="hr-server", error="invalid_token", error_description="Token expired", scope="hr:read hr:write", resource_metadata="https://h/.well-known/oauth-protected-resource"',
    );
    const forbidden = toHttpChallenge(
      new AuthError('insufficient_scope', 'needs approval', { requiredScope: 'hr:read hr:approve' }),
      withScope,
    );
    expect(forbidden.wwwAuthenticate).toBe(
      'Bearer realm="hr-server", error="insufficient_scope", error_description="needs approval", scope="hr:read hr:approve", resource_metadata="https://h/.well-known/oauth-protected-resource"',
    );
    // A role refused the server: no scope would help, so none is named.
    expect(toHttpChallenge(new AuthError('insufficient_scope', 'Role X may not use hr-server'), withScope).wwwAuthenticate).not.toContain(
      'scope=',
    );
    expect(toHttpChallenge(new AuthError('invalid_request', 'two'), withScope).wwwAuthenticate).not.toContain('scope=');
  });

  it('escapes quotes and backslashes and strips control characters, so a header cannot be split', () => {
    const c = toHttpChallenge(new AuthError('invalid_credentials', 'bad "x"\\y\r\nSet-Cookie: a=b'), { realm: 'r"' });
    expect(c.wwwAuthenticate).toBe('Bearer realm="r\\"", error="invalid_token", error_description="bad \\"x\\"\\\\y  Set-Cookie: a=b"');
  });
});
