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
import { basename, dirname, join } from 'node:path';
import { generateRsaKeyPair, jwkThumbprint, publicJwk, publicKeyFromPem, type RsaPublicJwk } from './rsa-keys.js';

/**
 * A key directory that cannot be used. The message names the full path and what to do (for a person
 * at a terminal); `file` and `problem` say the same without the path (for logs and /ready).
 */
export class KeyDirectoryError extends Error {
  override readonly name = 'KeyDirectoryError';
  /** The file at fault, relative to the key directory (e.g. `private.pem`), when one is. */
  readonly file: string | undefined;
  /** What is wrong, without paths: safe to show on a public status endpoint. */
  readonly problem: string;
  constructor(message: string, detail?: { file: string; problem: string }) {
    super(message);
    this.file = detail?.file;
    this.problem = detail ? `${detail.file} ${detail.problem}` : message;
  }
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

/** Writes a file whole or not at all (a crash mid-write never leaves half a key), with `mode`. */
export function writeAtomically(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

// What to do about a broken file, by where it is. Each is the end of one sentence after the path.
const REGENERATE = 'create a new key pair with pnpm keys:generate --force (tokens signed with the old key stop verifying)';
const REMEDY = {
  private: `restore it from a backup, or ${REGENERATE}`,
  public: 'write it again from private.pem (openssl pkey -in private.pem -pubout -out public.pem)',
  previous: 'restore it, or delete both previous/<kid>.pem and previous/<kid>.json (tokens that key signed stop verifying)',
  next: 'delete the next/ folder to cancel the pending rotation, then run pnpm keys:rotate again',
};

function keyFileError(dir: string, file: string, problem: string, remedy: string): KeyDirectoryError {
  return new KeyDirectoryError(`${join(dir, file)} ${problem}; ${remedy}`, { file, problem });
}

/** A key file's text, or a KeyDirectoryError naming the file: missing, not a file, or unreadable. */
function readKeyFile(dir: string, file: string, remedy: string): string {
  const path = join(dir, file);
  try {
    if (!statSync(path).isFile()) throw keyFileError(dir, file, 'is not a file (a directory?)', `remove it, then ${remedy}`);
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof KeyDirectoryError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw keyFileError(dir, file, 'is missing', remedy);
    throw keyFileError(dir, file, `cannot be read (${code ?? (error as Error).message})`, 'check its owner and permissions');
  }
}

function readPrivateKey(dir: string, file: string, remedy: string): { pem: string; key: KeyObject } {
  const pem = readKeyFile(dir, file, remedy);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw keyFileError(dir, file, 'is not a PEM private key', remedy);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw keyFileError(dir, file, `holds a ${key.asymmetricKeyType} key, not the RSA key RS256 needs`, remedy);
  }
  return { pem, key };
}

function readPublicKey(dir: string, file: string, remedy: string): KeyObject {
  const pem = readKeyFile(dir, file, remedy);
  // A private key here would be published wherever public.pem is copied (resource servers pin it).
  if (pem.includes('PRIVATE KEY')) throw keyFileError(dir, file, 'holds a private key, not a public one', remedy);
  let key: KeyObject;
  try {
    key = publicKeyFromPem(pem);
  } catch {
    throw keyFileError(dir, file, 'is not a PEM public key', remedy);
  }
  if (key.asymmetricKeyType !== 'rsa') throw keyFileError(dir, file, `holds a ${key.asymmetricKeyType} key, not an RSA key`, remedy);
  return key;
}

function readJson<T>(dir: string, file: string, remedy: string, valid: (value: Record<string, unknown>) => boolean): T {
  const text = readKeyFile(dir, file, remedy);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw keyFileError(dir, file, 'is not valid JSON', remedy);
  }
  if (typeof value !== 'object' || value === null || !valid(value as Record<string, unknown>)) {
    throw keyFileError(dir, file, 'does not have the fields this folder uses', remedy);
  }
  return value as T;
}

const isDate = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/**
 * The public key file of a server that pins the issuer's key (PUBLIC_KEY_FILE), as SPKI PEM; a
 * KeyDirectoryError that names the file when it is not a readable RSA public key.
 */
export function readPublicKeyFile(path: string): string {
  const remedy = "copy public.pem from the issuer's key folder (MCP_AUTH_DIR)";
  return readPublicKey(dirname(path), basename(path), remedy).export({ type: 'spki', format: 'pem' }).toString();
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
  const oldPublic = publicKeyFromPem(readPrivateKey(dir, 'private.pem', REMEDY.private).pem);
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
  const oldKid = jwkThumbprint(publicKeyFromPem(readPrivateKey(dir, 'private.pem', REMEDY.private).pem));
  const activateAfter = options.activateAfterSeconds ?? 0;
  if (activateAfter <= 0) {
    retireCurrent(dir, now, options.publishForSeconds);
    return { oldKid, newKid: writeKeyPair(dir, { force: true }), activatesAt: now };
  }
  const newKid = writeKeyPair(p.next);
  // Counted from when the new key is on disk (generating it can take seconds on a busy machine), so
  // servers get the whole wait to see it published.
  const activatesAt = new Date((options.now ?? new Date()).getTime() + activateAfter * 1000);
  writeAtomically(
    join(p.next, 'activate.json'),
    `${JSON.stringify({ activateAt: activatesAt.toISOString(), publishPreviousForSeconds: options.publishForSeconds }, null, 2)}\n`,
    0o600,
  );
  return { oldKid, newKid, activatesAt };
}

/** A pending next key, read and checked whole before anything is moved. */
function readNext(dir: string) {
  const activation = readJson<{ activateAt: string; publishPreviousForSeconds: number }>(
    dir,
    'next/activate.json',
    REMEDY.next,
    (v) => isDate(v.activateAt) && typeof v.publishPreviousForSeconds === 'number',
  );
  const { pem: privatePem } = readPrivateKey(dir, 'next/private.pem', REMEDY.next);
  const publicKey = readPublicKey(dir, 'next/public.pem', REMEDY.next);
  if (jwkThumbprint(publicKey) !== jwkThumbprint(publicKeyFromPem(privatePem))) {
    throw keyFileError(dir, 'next/public.pem', 'is not the public half of next/private.pem', REMEDY.next);
  }
  return {
    activateAt: new Date(activation.activateAt),
    publishPreviousForSeconds: activation.publishPreviousForSeconds,
    privatePem,
    publicKey,
  };
}

/**
 * Puts a pending next key in charge once its time has come (the issuer does this when it loads keys).
 * Returns the pending key while it waits. Its files are all checked first: a broken next/ folder
 * must never replace a working private.pem.
 */
function promoteNextIfDue(dir: string, now: Date): { activatesAt: number; publicKey: KeyObject } | undefined {
  const p = paths(dir);
  if (!existsSync(join(p.next, 'activate.json'))) return undefined;
  const next = readNext(dir);
  if (next.activateAt > now) return { activatesAt: next.activateAt.getTime(), publicKey: next.publicKey };
  retireCurrent(dir, next.activateAt, next.publishPreviousForSeconds);
  writeAtomically(p.publicPem, next.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
  writeAtomically(p.privatePem, next.privatePem, 0o600);
  rmSync(p.next, { recursive: true, force: true });
  return undefined;
}

/**
 * Reads the current key, a pending next key and the retired keys still to be published; forgets
 * expired ones. Every file is checked; a problem is a KeyDirectoryError naming the file and what to do.
 * public.pem, when present, must be private.pem's public half (servers may pin it); with
 * `requirePublicKey` (the issuer) it must be present too.
 */
export function loadKeySet(dir: string, now = new Date(), options: { requirePublicKey?: boolean } = {}): KeySet {
  const p = paths(dir);
  if (!existsSync(p.privatePem)) throw new KeyDirectoryError(`No signing key at ${p.privatePem}. Create one: pnpm keys:generate`);
  const pending = promoteNextIfDue(dir, now);
  const stat = statSync(p.privatePem);
  if (stat.isFile() && process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new KeyDirectoryError(
      `${p.privatePem} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}); run: chmod 600 ${p.privatePem}`,
      { file: 'private.pem', problem: 'is readable by other users (chmod 600 it)' },
    );
  }
  const { pem: privatePem, key: privateKey } = readPrivateKey(dir, 'private.pem', REMEDY.private);
  const current = publicJwk(publicKeyFromPem(privatePem));
  if (options.requirePublicKey || existsSync(p.publicPem)) {
    if (publicJwk(readPublicKey(dir, 'public.pem', REMEDY.public)).kid !== current.kid) {
      throw keyFileError(dir, 'public.pem', 'is not the public half of private.pem', REMEDY.public);
    }
  }
  const published: RsaPublicJwk[] = [current];
  if (pending !== undefined) published.push(publicJwk(pending.publicKey));
  if (existsSync(p.previous)) {
    for (const file of readdirSync(p.previous)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const kid = file.slice(0, -5);
      const window = readJson<{ publishUntil: string }>(dir, `previous/${file}`, REMEDY.previous, (v) => isDate(v.publishUntil));
      const pemPath = join(p.previous, `${kid}.pem`);
      if (new Date(window.publishUntil) <= now || !existsSync(pemPath)) {
        rmSync(pemPath, { force: true });
        rmSync(join(p.previous, file), { force: true });
        continue;
      }
      const jwk = publicJwk(readPublicKey(dir, `previous/${kid}.pem`, REMEDY.previous));
      if (jwk.kid !== current.kid) published.push(jwk);
    }
  }
  return { signing: { kid: current.kid, privateKey, privatePem }, published, nextActivatesAt: pending?.activatesAt };
}

export interface KeyRingOptions {
  /** How often the files are checked for changes, at most (default 1 s). */
  checkIntervalMs?: number;
  /**
   * A reload failed: the ring keeps signing and publishing with the last good key set. Called once
   * per problem (again only when the problem changes), not on every request.
   */
  onReloadFailed?: (error: KeyDirectoryError) => void;
  /** The files are usable again after a failed reload. */
  onReloadRecovered?: () => void;
}

/** What the ring serves, and whether the folder on disk still matches it (for /ready). */
export interface KeyRingStatus {
  readonly kid: string;
  readonly published: number;
  /** Set while the folder cannot be loaded: the ring serves the last good key set meanwhile. */
  readonly problem?: { readonly reason: string; readonly since: Date };
}

/**
 * Loads the key set and reloads it when the files change (checked at most once per interval), so a
 * rotation by `pnpm keys:rotate` in another process takes effect without a restart. When the files
 * turn unreadable or corrupt while running, the last good key set stays in use (tokens keep being
 * signed and verifiable with the served JWKS), the problem is reported once, and the ring retries
 * on every check until the files are usable again. Only the first load throws.
 */
export function createKeyRing(dir: string, options: KeyRingOptions = {}) {
  const interval = options.checkIntervalMs ?? 1000;
  const load = () => loadKeySet(dir, new Date(), { requirePublicKey: true });
  let keys = load();
  let lastCheck = Date.now();
  let lastLoad = lastCheck;
  let stamp = fingerprint(dir);
  let problem: { error: KeyDirectoryError; since: Date } | undefined;

  function refresh(): KeySet {
    const now = Date.now();
    if (now - lastCheck < interval) return keys;
    lastCheck = now;
    const next = fingerprint(dir);
    // A retired key leaves the JWKS, and a pending one takes over, with no file change: reload each
    // minute, and as soon as a pending key is due. While broken, retry on every check.
    const due = keys.nextActivatesAt !== undefined && now >= keys.nextActivatesAt;
    if (problem === undefined && next === stamp && !due && now - lastLoad < 60_000) return keys;
    try {
      keys = load();
      stamp = next;
      lastLoad = now;
      if (problem) {
        problem = undefined;
        options.onReloadRecovered?.();
      }
    } catch (caught) {
      const error =
        caught instanceof KeyDirectoryError
          ? caught
          : new KeyDirectoryError(`${dir} cannot be loaded: ${(caught as Error).message}`, {
              file: '.',
              problem: `cannot be loaded (${(caught as NodeJS.ErrnoException).code ?? 'unexpected error'})`,
            });
      if (problem?.error.message !== error.message) {
        problem = { error, since: new Date(now) };
        options.onReloadFailed?.(error);
      }
    }
    return keys;
  }
  return {
    current: () => refresh().signing,
    jwks: () => ({ keys: refresh().published }),
    status: (): KeyRingStatus => {
      const set = refresh();
      return {
        kid: set.signing.kid,
        published: set.published.length,
        ...(problem ? { problem: { reason: problem.error.problem, since: problem.since } } : {}),
      };
    },
    reload: () => {
      keys = load();
      stamp = fingerprint(dir);
      lastCheck = Date.now();
      problem = undefined;
      return keys;
    },
  };
}

/**
 * Changes to any file of the folder: name, size and mtime of each (a handful of stat calls). Never
 * throws: a file that cannot be stat'ed counts as a change, and the reload says what is wrong.
 */
function fingerprint(dir: string): string {
  const p = paths(dir);
  const parts: string[] = [];
  const add = (path: string) => {
    try {
      const s = statSync(path);
      parts.push(`${path}:${s.size}:${s.mtimeMs}`);
    } catch (error) {
      parts.push(`${path}:${(error as NodeJS.ErrnoException).code}`);
    }
  };
  add(p.privatePem);
  add(p.publicPem);
  for (const folder of [p.previous, p.next]) {
    try {
      for (const f of readdirSync(folder).sort()) add(join(folder, f));
    } catch {
      parts.push(`${folder}:absent`);
    }
  }
  return parts.join('|');
}

export type KeyRing = ReturnType<typeof createKeyRing>;
