// A refresh token lives its idle lifetime, but a sign-in ends SIGN_IN_LIFETIME_SECONDS after it began,
// however often it is refreshed.
import { describe, expect, it } from 'vitest';
import { refreshTokenTtl } from '../../src/authorization-server/refresh-lifetime.js';

const day = 86_400;

describe('refresh token lifetime', () => {
  it('is the idle lifetime early in a sign-in', () => {
    expect(refreshTokenTtl({ firstIssuedAt: 1000, now: 1000, idleSeconds: 14 * day, lifetimeSeconds: 30 * day })).toBe(14 * day);
  });
  it('shrinks to what is left of the sign-in near its end, however recently it was rotated', () => {
    expect(refreshTokenTtl({ firstIssuedAt: 0, now: 29 * day, idleSeconds: 14 * day, lifetimeSeconds: 30 * day })).toBe(day);
  });
  it('is one second (so the next use fails) once the sign-in is over', () => {
    expect(refreshTokenTtl({ firstIssuedAt: 0, now: 31 * day, idleSeconds: 14 * day, lifetimeSeconds: 30 * day })).toBe(1);
  });
});
