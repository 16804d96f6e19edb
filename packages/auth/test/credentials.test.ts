import { describe, expect, it } from 'vitest';
import { AuthError, extractCredential } from '../src/index.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as AuthError).code;
  }
  return 'no error';
};

describe('extractCredential', () => {
  it('reads Bearer with any scheme casing and surrounding whitespace', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect(extractCredential({ authorization: `  ${scheme}   abc.def-ghi_~+/=  ` })).toEqual({
        kind: 'bearer',
        token: 'abc.def-ghi_~+/=',
      });
    }
  });

  it('reads Basic user:password, keeping colons in the password', () => {
    expect(extractCredential({ authorization: basic('user:pa:ss') })).toEqual({ kind: 'basic', username: 'user', password: 'pa:ss' });
    expect(extractCredential({ authorization: basic('key:') })).toEqual({ kind: 'basic', username: 'key', password: '' });
  });

  it('reads X-API-Key', () => {
    expect(extractCredential({ 'x-api-key': ' k ' })).toEqual({ kind: 'api-key-header', key: 'k' });
  });

  it('accepts X-API-Key with an identical Bearer, refuses two different credentials', () => {
    expect(extractCredential({ 'x-api-key': 'k', authorization: 'Bearer k' })).toEqual({ kind: 'api-key-header', key: 'k' });
    expect(codeOf(() => extractCredential({ 'x-api-key': 'k', authorization: 'Bearer other' }))).toBe('invalid_request');
    expect(codeOf(() => extractCredential({ authorization: ['Bearer a', 'Bearer b'] }))).toBe('invalid_request');
  });

  it('no credentials at all is missing_credentials (challenge without an error code)', () => {
    expect(codeOf(() => extractCredential({}))).toBe('missing_credentials');
    expect(codeOf(() => extractCredential({ authorization: '   ', 'x-api-key': '' }))).toBe('missing_credentials');
  });

  it.each([
    ['Bearer', 'Bearer'],
    ['Bearer with a space inside', 'Bearer a b'],
    ['Bearer with a quote', 'Bearer a"b'],
    ['Basic not base64', 'Basic ***'],
    ['Basic without colon', basic('nocolon')],
    ['unknown scheme', 'Token abc'],
  ])('%s is invalid_credentials, not a crash', (_name, header) => {
    expect(codeOf(() => extractCredential({ authorization: header }))).toBe('invalid_credentials');
  });

  it('two Authorization or two X-API-Key lines in the raw headers are invalid_request, even equal ones', () => {
    // What Node makes of them: the first Authorization only, X-API-Key values joined.
    const twoAuthorization = ['Host', 'x', 'Authorization', 'Bearer a', 'authorization', 'Bearer b'];
    expect(codeOf(() => extractCredential({ authorization: 'Bearer a' }, twoAuthorization))).toBe('invalid_request');
    const twoKeys = ['X-API-Key', 'k', 'x-api-key', 'k'];
    expect(codeOf(() => extractCredential({ 'x-api-key': 'k, k' }, twoKeys))).toBe('invalid_request');
    expect(extractCredential({ authorization: 'Bearer a', 'x-api-key': 'a' }, ['AUTHORIZATION', 'Bearer a', 'X-Api-Key', 'a'])).toEqual({
      kind: 'api-key-header',
      key: 'a',
    });
  });

  it('never reads the query string: it is not even an input (only headers, parsed and raw)', () => {
    expect(extractCredential.length).toBe(2);
  });
});

describe('AuthError', () => {
  it('carries a code and a public description', () => {
    const error = new AuthError('expired_credentials', 'API key expired');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('expired_credentials');
    expect(error.description).toBe('API key expired');
  });
});
