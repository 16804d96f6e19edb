/** Parses operator-friendly durations such as `90s`, `15m`, `24h`, `30d` into milliseconds. */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a duration; use a number and a unit, e.g. 30s, 15m, 24h, 7d`);
  return Math.round(Number(match[1]) * (UNITS[match[2] as string] as number));
}
