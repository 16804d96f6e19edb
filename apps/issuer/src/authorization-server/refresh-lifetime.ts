/**
 * How long a new refresh token lives: the idle lifetime (each rotation starts a new one), but never
 * past the sign-in's absolute end, counted from when its first refresh token was issued (`iiat`,
 * carried over by every rotation). A sign-in cannot be kept alive forever by refreshing.
 */
export function refreshTokenTtl(options: { firstIssuedAt: number; now: number; idleSeconds: number; lifetimeSeconds: number }): number {
  const left = options.firstIssuedAt + options.lifetimeSeconds - options.now;
  return Math.max(1, Math.min(options.idleSeconds, left));
}
