import { describe, expect, it } from 'vitest';
import { OAuthError, readClientCredentials, weakSecretReason } from '../src/index.js';

describe('weakSecretReason', () => {
  it.each(['my_super_secret_key', 'MY_SUPER_SECRET_KEY', 'secret', 'changeme', 'your-256-bit-secret'])('refuses %s', (s) => {
    expect(weakSecretReason(s)).toBeDefined();
  });
  it('refuses short and repetitive secrets, accepts 32 random bytes', () => {
    expect(weakSecretReason('a1B2c3D4e5F6g7H8')).toMatch(/16 bytes/);
    expect(weakSecretReason('abababababababababababababababababab')).toMatch(/distinct/);
    expect(weakSecretReason('q3V9xLr2Tz8WmK5pYc1Nf7Hd4Gs6Bj0Ua-Ee_Ri')).toBeUndefined();
  });
});

describe('readClientCredentials (RFC 6749 §2.3.1)', () => {
  const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
  it('form-decodes Basic credentials', () => {
    expect(readClientCredentials(basic('my%20client:p%40ss+word'), {})).toEqual({
      clientId: 'my client',
      clientSecret: 'p@ss word',
      method: 'client_secret_basic',
    });
  });
  it('reads body credentials', () => {
    expect(readClientCredentials(undefined, { client_id: 'c', client_secret: 's' })).toEqual({
      clientId: 'c',
      clientSecret: 's',
      method: 'client_secret_post',
    });
  });
  it('refuses mixed or mismatched methods', () => {
    expect(() => readClientCredentials(basic('c:s'), { client_secret: 's' })).toThrow(OAuthError);
    expect(() => readClientCredentials(basic('c:s'), { client_id: 'other' })).toThrow(/does not match/);
  });
});
