// Where a resource server's revocation feed comes from, and what a bad setting says.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvReader, readResourceServerConfig } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rs-config-'));
const pem = join(dir, 'public.pem');
writeFileSync(pem, 'not read here');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (env: Record<string, string>) => {
  const reader = new EnvReader({ DATA_DIR: dir, ...env });
  const config = readResourceServerConfig(reader, { port: 8001, service: 'x' });
  reader.finish();
  return config.revocations;
};

describe('revocation feed settings', () => {
  it('polls ISSUER_URL/revocations every 5 s beside the JWKS by default', () => {
    expect(read({ ISSUER_URL: 'http://127.0.0.1:9000' })).toEqual({ url: 'http://127.0.0.1:9000/revocations', pollMs: 5000 });
  });
  it('REVOCATIONS_URL and REVOCATION_POLL_SECONDS override; none turns it off', () => {
    expect(read({ REVOCATIONS_URL: 'http://127.0.0.1:9001/feed', REVOCATION_POLL_SECONDS: '2' })).toEqual({
      url: 'http://127.0.0.1:9001/feed',
      pollMs: 2000,
    });
    expect(read({ REVOCATIONS_URL: 'none' })).toBeUndefined();
  });
  it('with a pinned PUBLIC_KEY_FILE it is off unless REVOCATIONS_URL names a feed', () => {
    expect(read({ PUBLIC_KEY_FILE: pem })).toBeUndefined();
    expect(read({ PUBLIC_KEY_FILE: pem, REVOCATIONS_URL: 'http://127.0.0.1:9001/revocations' })).toMatchObject({
      url: 'http://127.0.0.1:9001/revocations',
    });
  });
  it('refuses a poll interval that is not a whole number of seconds from 1 to 3600', () => {
    expect(() => read({ REVOCATION_POLL_SECONDS: '0' })).toThrow(/REVOCATION_POLL_SECONDS/);
    expect(() => read({ REVOCATION_POLL_SECONDS: 'often' })).toThrow(/REVOCATION_POLL_SECONDS/);
  });
});
