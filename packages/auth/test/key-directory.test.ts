import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyDirectoryError, loadKeySet, rotateKeyPair, writeKeyPair } from '../src/index.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'keydir-'));
  dirs.push(dir);
  return join(dir, 'mcp_auth');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('key directory', () => {
  it('writes a 0600 private key, refuses to overwrite it, and names it by its RFC 7638 thumbprint', () => {
    const dir = fresh();
    const kid = writeKeyPair(dir);
    expect(statSync(join(dir, 'private.pem')).mode & 0o777).toBe(0o600);
    expect(() => writeKeyPair(dir)).toThrow(KeyDirectoryError);
    expect(loadKeySet(dir).signing.kid).toBe(kid);
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('rotates at once: the new key signs, the old one stays published until its window ends', () => {
    const dir = fresh();
    writeKeyPair(dir);
    const t0 = new Date();
    const { oldKid, newKid } = rotateKeyPair(dir, { publishForSeconds: 60, now: t0 });
    const now = loadKeySet(dir, t0);
    expect(now.signing.kid).toBe(newKid);
    expect(now.published.map((k) => k.kid)).toEqual([newKid, oldKid]);
    expect(loadKeySet(dir, new Date(t0.getTime() + 61_000)).published.map((k) => k.kid)).toEqual([newKid]);
  });

  it('with activate-after, publishes the next key first and signs with it only when it is due', () => {
    const dir = fresh();
    const oldKid = writeKeyPair(dir);
    const t0 = new Date();
    const { newKid, activatesAt } = rotateKeyPair(dir, { publishForSeconds: 60, activateAfterSeconds: 30, now: t0 });
    expect(activatesAt.getTime()).toBe(t0.getTime() + 30_000);
    const before = loadKeySet(dir, new Date(t0.getTime() + 29_000));
    expect(before.signing.kid).toBe(oldKid); // still signing with the old key
    expect(before.published.map((k) => k.kid)).toEqual([oldKid, newKid]); // but the new one is already public
    expect(before.nextActivatesAt).toBe(activatesAt.getTime());
    expect(() => rotateKeyPair(dir, { publishForSeconds: 60, activateAfterSeconds: 30 })).toThrow(/already pending/);
    const after = loadKeySet(dir, new Date(t0.getTime() + 30_000));
    expect(after.signing.kid).toBe(newKid);
    expect(after.published.map((k) => k.kid)).toEqual([newKid, oldKid]);
    expect(after.nextActivatesAt).toBeUndefined();
    expect(statSync(join(dir, 'private.pem')).mode & 0o777).toBe(0o600);
    // the old key's window counts from the activation, not from the command
    expect(loadKeySet(dir, new Date(t0.getTime() + 89_000)).published.map((k) => k.kid)).toContain(oldKid);
    expect(loadKeySet(dir, new Date(t0.getTime() + 91_000)).published.map((k) => k.kid)).toEqual([newKid]);
  });
});
