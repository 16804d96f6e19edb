/**
 * Password hashes for the people who sign in at the issuer: scrypt (RFC 7914), a memory-hard hash in
 * Node's own crypto, so no native addon is needed. Parameters follow OWASP's password storage advice
 * for scrypt (N=2^17, r=8, p=1 is the top row; N=2^15 with r=8 costs ~32 MiB and ~50-100 ms here,
 * which is what a login page can afford per attempt on 2 cores). The parameters are stored with each
 * hash, so raising them later only affects new hashes.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const maxmem = (N: number, r: number) => 128 * N * r * 2;

/** A generated password: 16 random bytes in base64url (128 bits), typed or pasted once per browser. */
export const generatePassword = (): string => randomBytes(16).toString('base64url');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...PARAMS, maxmem: maxmem(PARAMS.N, PARAMS.r) });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A hash of nothing anyone knows, verified when the account does not exist so both answers take as long. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  const hash = stored ?? (await decoy);
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const N = Number(n);
  const R = Number(r);
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N, r: R, p: Number(p), maxmem: maxmem(N, R) });
  return timingSafeEqual(actual, expected) && stored !== undefined;
}
