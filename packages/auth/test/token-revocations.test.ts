// Revocation sources that must look at a database answer with a promise; a verifier then waits for
// them, and a source that cannot answer fails the verification (fail closed), never passes it.
import { describe, expect, it } from 'vitest';
import {
  anyRevocation,
  createHs256TokenIssuer,
  createHs256Verifier,
  DatabaseUnavailableError,
  type TokenRevocations,
} from '../src/index.js';

const SECRET = 'token-revocations-test-secret-0123456789abcdef0123456789';
const token = { jti: 'jti-1', clientId: 'c' };
const answering = (revoked: boolean | Promise<boolean>): TokenRevocations => ({ isRevoked: () => revoked });

describe('anyRevocation', () => {
  it('answers at once when every source does, and a source that says revoked decides without waiting', () => {
    expect(anyRevocation(answering(false), answering(false)).isRevoked(token)).toBe(false);
    const never = new Promise<boolean>(() => {});
    expect(anyRevocation(answering(never), answering(true)).isRevoked(token)).toBe(true);
  });

  it('waits for the sources that must look, and fails when one cannot answer', async () => {
    expect(await anyRevocation(answering(false), answering(Promise.resolve(true))).isRevoked(token)).toBe(true);
    expect(await anyRevocation(answering(Promise.resolve(false)), answering(false)).isRevoked(token)).toBe(false);
    const down = Promise.reject(new DatabaseUnavailableError('the database cannot be reached', 'refused', 'ECONNREFUSED', 'db:5432/app'));
    await expect(anyRevocation(answering(false), answering(down)).isRevoked(token)).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });
});

describe('a verifier asking a source that must look', () => {
  const issuer = createHs256TokenIssuer({ secret: SECRET, issuer: 'https://jwt.test', ttlSeconds: 60 });
  const verifierWith = (revocations: TokenRevocations) =>
    createHs256Verifier({ secret: SECRET, issuer: 'https://jwt.test', audience: 'https://jwt.test/', revocations });

  it('waits for it: refused when revoked, accepted when not, refused with the store error when it cannot answer', async () => {
    const { token: jwt } = issuer.issue({ subject: 'c', audience: 'https://jwt.test/', scope: 'mcp', claims: { client_id: 'c' } });
    const credential = { kind: 'bearer', token: jwt } as const;
    await expect(verifierWith(answering(Promise.resolve(true))).verify(credential)).rejects.toMatchObject({ code: 'revoked_credentials' });
    await expect(verifierWith(answering(Promise.resolve(false))).verify(credential)).resolves.toMatchObject({ subject: 'c' });
    const down = () =>
      Promise.reject(new DatabaseUnavailableError('the database cannot be reached', 'refused', 'ECONNREFUSED', 'db:5432/app'));
    await expect(verifierWith({ isRevoked: down }).verify(credential)).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });
});
