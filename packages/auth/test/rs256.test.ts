import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthError, createRs256TokenIssuer, createRs256Verifier, jwkThumbprint } from '../src/index.js';

function signingKey(format: 'pkcs1' | 'pkcs8') {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: format, format: 'pem' }).toString();
  return {
    key: { kid: jwkThumbprint(publicKey), privateKey: createPrivateKey(privatePem), privatePem },
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

describe('RS256 issuer', () => {
  it.each(['pkcs8', 'pkcs1'] as const)('signs with a %s private key a token the verifier accepts, with kid and at+jwt', async (format) => {
    const { key, publicPem } = signingKey(format);
    const issuer = createRs256TokenIssuer({ keys: { current: () => key }, issuer: 'https://issuer.test', ttlSeconds: 60 });
    const issued = await issuer.issue({ subject: 'alice', audience: 'my-mcp-server', scope: 'mcp', claims: { job_role: 'Manager' } });
    const header = JSON.parse(Buffer.from(issued.token.split('.')[0] as string, 'base64url').toString());
    expect(header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: key.kid });
    const verifier = createRs256Verifier({ keys: { publicPem }, issuer: 'https://issuer.test', audiences: ['my-mcp-server'] });
    const principal = await verifier.verify({ kind: 'bearer', token: issued.token });
    expect(principal).toMatchObject({ subject: 'alice', role: 'Manager' });
    expect(issued.expiresIn).toBe(60);
  });

  it('signs concurrently without mixing up claims, and a token from another key is refused', async () => {
    const { key, publicPem } = signingKey('pkcs8');
    const issuer = createRs256TokenIssuer({ keys: { current: () => key }, issuer: 'https://issuer.test', ttlSeconds: 60 });
    const verifier = createRs256Verifier({ keys: { publicPem }, issuer: 'https://issuer.test', audiences: ['my-mcp-server'] });
    const subjects = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    const issued = await Promise.all(subjects.map((subject) => issuer.issue({ subject, audience: 'my-mcp-server', scope: 'mcp' })));
    const principals = await Promise.all(issued.map((t) => verifier.verify({ kind: 'bearer', token: t.token })));
    expect(principals.map((p) => p.subject)).toEqual(subjects);
    expect(new Set(issued.map((t) => t.jti)).size).toBe(subjects.length);

    const other = signingKey('pkcs8');
    const forged = await createRs256TokenIssuer({
      keys: { current: () => ({ ...other.key, kid: key.kid }) },
      issuer: 'https://issuer.test',
      ttlSeconds: 60,
    }).issue({
      subject: 'mallory',
      audience: 'my-mcp-server',
      scope: 'mcp',
    });
    expect(() => verifier.verify({ kind: 'bearer', token: forged.token })).toThrow(AuthError);
  });
});
