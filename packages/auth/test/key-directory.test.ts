import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyRing, KeyDirectoryError, loadKeySet, readPublicKeyFile, rotateKeyPair, writeKeyPair } from '../src/index.js';

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

  it('names the file and what to do when a key file cannot be used', () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      [
        'private.pem is a directory',
        (dir) => {
          unlinkSync(join(dir, 'private.pem'));
          mkdirSync(join(dir, 'private.pem'), { mode: 0o700 });
        },
        /private\.pem is not a file \(a directory\?\); remove it, then .*pnpm keys:generate --force/,
      ],
      [
        'garbage PEM',
        (dir) => writeFileSync(join(dir, 'private.pem'), 'not a key\n'),
        /private\.pem is not a PEM private key; .*pnpm keys:generate/,
      ],
      [
        'an EC key',
        (dir) => writeFileSync(join(dir, 'private.pem'), ecPrivatePem()),
        /private\.pem holds a ec key, not the RSA key RS256 needs; .*pnpm keys:generate/,
      ],
      [
        'public.pem missing',
        (dir) => unlinkSync(join(dir, 'public.pem')),
        /public\.pem is missing; write it again from private\.pem \(openssl/,
      ],
      [
        'public.pem of another key',
        (dir) => writeFileSync(join(dir, 'public.pem'), otherPublicPem()),
        /public\.pem is not the public half of private\.pem/,
      ],
      [
        'a private key in public.pem',
        (dir) => writeFileSync(join(dir, 'public.pem'), readFileSync(join(dir, 'private.pem'))),
        /public\.pem holds a private key, not a public one/,
      ],
    ];
    for (const [what, breakIt, expected] of cases) {
      const dir = fresh();
      writeKeyPair(dir);
      breakIt(dir);
      let error: unknown;
      try {
        loadKeySet(dir, new Date(), { requirePublicKey: true });
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(KeyDirectoryError);
      expect((error as Error).message, what).toMatch(expected);
      expect((error as Error).message, what).toContain(dir);
      expect((error as KeyDirectoryError).problem, what).not.toContain(dir);
    }
  });

  it('refuses a pinned public key file that is not an RSA public key, naming it', () => {
    const dir = fresh();
    writeKeyPair(dir);
    expect(readPublicKeyFile(join(dir, 'public.pem'))).toContain('BEGIN PUBLIC KEY');
    expect(() => readPublicKeyFile(join(dir, 'private.pem'))).toThrow(/private\.pem holds a private key/);
    expect(() => readPublicKeyFile(dir)).toThrow(/is not a file/);
    expect(() => readPublicKeyFile(join(dir, 'nope.pem'))).toThrow(/nope\.pem is missing; copy public\.pem/);
  });

  it('never lets a broken pending key replace a working private.pem', () => {
    const dir = fresh();
    const kid = writeKeyPair(dir);
    rotateKeyPair(dir, { publishForSeconds: 60, activateAfterSeconds: 1 });
    writeFileSync(join(dir, 'next', 'private.pem'), 'garbage');
    const before = readFileSync(join(dir, 'private.pem'), 'utf8');
    expect(() => loadKeySet(dir, new Date(Date.now() + 5_000))).toThrow(
      /next\/private\.pem is not a PEM private key; delete the next\/ folder/,
    );
    expect(readFileSync(join(dir, 'private.pem'), 'utf8')).toBe(before);
    rmSync(join(dir, 'next'), { recursive: true });
    expect(loadKeySet(dir).signing.kid).toBe(kid);
  });

  it('keeps the last good key set while the folder is broken, reports it once, and recovers', async () => {
    const dir = fresh();
    const kid = writeKeyPair(dir);
    const failures: KeyDirectoryError[] = [];
    let recovered = 0;
    const ring = createKeyRing(dir, { checkIntervalMs: 10, onReloadFailed: (e) => failures.push(e), onReloadRecovered: () => recovered++ });
    const good = { private: readFileSync(join(dir, 'private.pem')), public: readFileSync(join(dir, 'public.pem')) };
    const tick = () => new Promise((r) => setTimeout(r, 20));

    writeFileSync(join(dir, 'private.pem'), 'corrupt');
    writeFileSync(join(dir, 'public.pem'), 'corrupt');
    mkdirSync(join(dir, 'previous'));
    writeFileSync(join(dir, 'previous', 'x.json'), '{');
    for (let i = 0; i < 5; i++) {
      await tick();
      expect(ring.current().kid).toBe(kid);
      expect(ring.jwks().keys.map((k) => k.kid)).toEqual([kid]);
    }
    expect(failures.map((e) => e.problem)).toEqual(['private.pem is not a PEM private key']);
    expect(ring.status().problem?.reason).toBe('private.pem is not a PEM private key');

    writeFileSync(join(dir, 'private.pem'), good.private);
    await tick();
    expect(ring.status().problem?.reason).toBe('public.pem is not a PEM public key'); // a new problem, reported once more
    writeFileSync(join(dir, 'public.pem'), good.public);
    rmSync(join(dir, 'previous'), { recursive: true });
    await tick();
    expect(ring.status().problem).toBeUndefined();
    expect(failures).toHaveLength(2);
    expect(recovered).toBe(1);
  });
});

function ecPrivatePem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function otherPublicPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}
