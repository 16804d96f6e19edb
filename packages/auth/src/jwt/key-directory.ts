/**
 * The issuer's keys on disk, in the layout the article used plus room for rotation:
 *
 *   mcp_auth/private.pem           the current signing key (PKCS#8, mode 0600)
 *   mcp_auth/public.pem            its public key (SPKI): what resource servers may pin
 *   mcp_auth/previous/<kid>.pem    public keys of retired signing keys, still published in the JWKS
 *   mcp_auth/previous/<kid>.json   {"retiredAt", "publishUntil"}: until every token they signed expired
 *   mcp_auth/next/                 a key published ahead of use (rotate --activate-after): private.pem,
 *                                  public.pem and activate.json {"activateAt", "publishPreviousForSeconds"}
 *
 * Writes go to a temporary file and are renamed into place, so a reader never sees half a key.
 */

import { createPrivateKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRsaKeyPair, jwkThumbprint, publicJwk, publicKeyFromPem, type RsaPublicJwk } from './rsa-keys.js';

export class KeyDirectoryError extends Error {
  override readonly name = 'KeyDirectoryError';
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly privatePem: string;
}

export interface KeySet {
  readonly signing: SigningKey;
  /** The current public key first, then a pending next key, then retired ones still published. */
  readonly published: readonly RsaPublicJwk[];
  /** When a pending next key takes over signing (ms since the epoch), if one is waiting. */
  readonly nextActivatesAt: number | undefined;
}

const paths = (dir: string) => ({
  privatePem: join(dir, 'private.pem'),
  publicPem: join(dir, 'public.pem'),
  previous: join(dir, 'previous'),
  next: join(dir, 'next'),
});

function writeAtomically(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

export function hasKeyPair(dir: string): boolean {
  return existsSync(paths(dir).privatePem);
}

/** Writes a new key pair; refuses to replace an existing one unless `force`. Returns the kid. */
export function writeKeyPair(dir: string, options: { force?: boolean } = {}): string {
  const p = paths(dir);
  if (existsSync(p.privatePem) && !options.force) {
    throw new KeyDirectoryError(
      `${p.privatePem} already exists; pass --force to replace it (tokens it signed stop verifying), or rotate instead`,
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = generateRsaKeyPair();
  writeAtomically(p.publicPem, pair.publicPem, 0o644);
  writeAtomically(p.privatePem, pair.privatePem, 0o600);
  return jwkThumbprint(publicKeyFromPem(pair.publicPem));
}

/** Moves the current key's public half to previous/, published until `publishUntil`. */
function retireCurrent(dir: string, at: Date, publishForSeconds: number): string {
  const p = paths(dir);
  const oldPublic = publicKeyFromPem(readFileSync(p.privatePem, 'utf8'));
  const oldKid = jwkThumbprint(oldPublic);
  mkdirSync(p.previous, { recursive: true, mode: 0o700 });
  writeAtomically(join(p.previous, `${oldKid}.pem`), oldPublic.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
  const window = { retiredAt: at.toISOString(), publishUntil: new Date(at.getTime() + publishForSeconds * 1000).toISOString() };
  writeAtomically(join(p.previous, `${oldKid}.json`), `${JSON.stringify(window, null, 2)}\n`, 0o644);
  return oldKid;
}

/**
 * Rotates the signing key. The old public key stays published for `publishForSeconds` (at least the
 * longest token lifetime), so tokens it signed keep verifying until they expire.
 *
 * With `activateAfterSeconds` the new key is published at once but signs only from then on: resource
 * servers that refetch the JWKS in the meantime already know it when the first token it signed
 * arrives, so no refetch cooldown can make them refuse it. Choose at least the servers' cooldown.
 */
export function rotateKeyPair(
  dir: string,
  options: { publishForSeconds: number; activateAfterSeconds?: number; now?: Date },
): { oldKid: string; newKid: string; activatesAt: Date } {
  const p = paths(dir);
  if (!existsSync(p.privatePem)) throw new KeyDirectoryError(`No key pair in ${dir} to rotate; generate one first`);
  if (existsSync(p.next)) throw new KeyDirectoryError(`A rotation is already pending in ${p.next}; wait for it to take effect`);
  const now = options.now ?? new Date();
  const oldKid = jwkThumbprint(publicKeyFromPem(readFileSync(p.privatePem, 'utf8')));
  const activateAfter = options.activateAfterSeconds ?? 0;
  if (activateAfter <= 0) {
    retireCurrent(dir, now, options.publishForSeconds);
    return { oldKid, newKid: writeKeyPair(dir, { force: true }), activatesAt: now };
  }
  const newKid = writeKeyPair(p.next);
  const activatesAt = new Date(now.getTime() + activateAfter * 1000);
  writeAtomically(
    join(p.next, 'activate.json'),
    `${JSON.stringify({ activateAt: activatesAt.toISOString(), publishPreviousForSeconds: options.publishForSeconds }, null, 2)}\n`,
    0o600,
  );
  return { oldKid, newKid, activatesAt };
}

/** Puts a pending next key in charge once its time has come (the issuer does this when it loads keys). */
function promoteNextIfDue(dir: string, now: Date): number | undefined {
  const p = paths(dir);
  const activation = join(p.next, 'activate.json');
  if (!existsSync(activation)) return undefined;
  const { activateAt, publishPreviousForSeconds } = JSON.parse(readFileSync(activation, 'utf8')) as {
    activateAt: string;
    publishPreviousForSeconds: number;
  };
  const at = new Date(activateAt);
  if (at > now) return at.getTime();
  retireCurrent(dir, at, publishPreviousForSeconds);
  writeAtomically(p.publicPem, readFileSync(join(p.next, 'public.pem'), 'utf8'), 0o644);
  writeAtomically(p.privatePem, readFileSync(join(p.next, 'private.pem'), 'utf8'), 0o600);
  rmSync(p.next, { recursive: true, force: true });
  return undefined;
}

/** Reads the current key and the retired keys still to be published; forgets expired ones. */
export function loadKeySet(dir: string, now = new Date()): KeySet {
  const p = paths(dir);
  if (!existsSync(p.privatePem)) throw new KeyDirectoryError(`No signing key at ${p.privatePem}. Create one: pnpm keys:generate`);
  const nextActivatesAt = promoteNextIfDue(dir, now);
  const stat = statSync(p.privatePem);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new KeyDirectoryError(
      `${p.privatePem} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}); run: chmod 600 ${p.privatePem}`,
    );
  }
  const privatePem = readFileSync(p.privatePem, 'utf8');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privatePem);
  } catch {
    throw new KeyDirectoryError(`${p.privatePem} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new KeyDirectoryError(`${p.privatePem} is not an RSA key`);
  const current = publicJwk(publicKeyFromPem(privatePem));
  const published: RsaPublicJwk[] = [current];
  if (nextActivatesAt !== undefined) published.push(publicJwk(publicKeyFromPem(readFileSync(join(p.next, 'public.pem'), 'utf8'))));
  if (existsSync(p.previous)) {
    for (const file of readdirSync(p.previous)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const kid = file.slice(0, -5);
      const window = JSON.parse(readFileSync(join(p.previous, file), 'utf8')) as { publishUntil: string };
      const pemPath = join(p.previous, `${kid}.pem`);
      if (new Date(window.publishUntil) <= now || !existsSync(pemPath)) {
        rmSync(pemPath, { force: true });
        rmSync(join(p.previous, file), { force: true });
        continue;
      }
      const jwk = publicJwk(publicKeyFromPem(readFileSync(pemPath, 'utf8')));
      if (jwk.kid !== current.kid) published.push(jwk);
    }
  }
  return { signing: { kid: current.kid, privateKey, privatePem }, published, nextActivatesAt };
}

/** Loads the key set and reloads it when the files change (checked at most once per interval). */
export function createKeyRing(dir: string, options: { checkIntervalMs?: number } = {}) {
  const interval = options.checkIntervalMs ?? 1000;
  let keys = loadKeySet(dir);
  let lastCheck = Date.now();
  let lastLoad = lastCheck;
  let stamp = fingerprint(dir);
  function fingerprint(d: string): string {
    const p = paths(d);
    const parts = [statSync(p.privatePem).mtimeMs, existsSync(p.next) ? 1 : 0];
    if (existsSync(p.previous)) parts.push(...readdirSync(p.previous).map((f) => f.length), statSync(p.previous).mtimeMs);
    return parts.join(':');
  }
  function refresh(): KeySet {
    const now = Date.now();
    if (now - lastCheck >= interval) {
      lastCheck = now;
      const next = fingerprint(dir);
      // A retired key leaves the JWKS, and a pending one takes over, with no file change: reload each
      // minute, and as soon as a pending key is due.
      const due = keys.nextActivatesAt !== undefined && now >= keys.nextActivatesAt;
      if (next !== stamp || due || now - lastLoad >= 60_000) {
        keys = loadKeySet(dir);
        stamp = next;
        lastLoad = now;
      }
    }
    return keys;
  }
  return {
    current: () => refresh().signing,
    jwks: () => ({ keys: refresh().published }),
    reload: () => {
      keys = loadKeySet(dir);
      stamp = fingerprint(dir);
      lastCheck = Date.now();
      return keys;
    },
  };
}

export type KeyRing = ReturnType<typeof createKeyRing>;
