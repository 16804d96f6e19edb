/**
 * Values the sign-in pages sign with the issuer's cookie key, so they cannot be made up:
 * - the CSRF token of an interaction: an HMAC of its id. The interaction id is unguessable and bound
 *   to the browser by the provider's interaction cookie, so a form posted from another site carries
 *   neither a valid token nor the cookie;
 * - the "known device" cookie set after a successful sign-in, which keeps that browser out of the
 *   guessing limits for that person (sign-in-limiter.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedValues {
  csrfToken(uid: string): string;
  csrfValid(uid: string, token: unknown): boolean;
  /** The cookie name and value that mark this browser as one `username` signed in from. */
  deviceCookie(username: string, now?: number): { name: string; value: string };
  /** Whether the request's cookies hold a valid known-device mark for `username`. */
  knownDevice(username: string, cookieHeader: string | undefined, now?: number): boolean;
}

export const DEVICE_COOKIE_MAX_AGE_SECONDS = 30 * 86_400;

export function signedValues(key: string): SignedValues {
  const mac = (purpose: string, value: string) => createHmac('sha256', key).update(`${purpose}\n${value}`).digest('base64url');
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const deviceName = (username: string) => `device_${createHash('sha256').update(username).digest('hex').slice(0, 16)}`;
  return {
    csrfToken: (uid) => mac('csrf', uid),
    csrfValid: (uid, token) => typeof token === 'string' && same(token, mac('csrf', uid)),
    deviceCookie(username, now = Date.now()) {
      const issued = String(Math.floor(now / 1000));
      return { name: deviceName(username), value: `${issued}.${mac('device', `${username}\n${issued}`)}` };
    },
    knownDevice(username, cookieHeader, now = Date.now()) {
      const value = readCookie(cookieHeader, deviceName(username));
      if (!value) return false;
      const [issued, signature] = value.split('.');
      if (!issued || !signature || !same(signature, mac('device', `${username}\n${issued}`))) return false;
      return now / 1000 - Number(issued) < DEVICE_COOKIE_MAX_AGE_SECONDS;
    },
  };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
