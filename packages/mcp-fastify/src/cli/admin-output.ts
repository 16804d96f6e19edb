/** Small helpers the apps' admin commands (`keys`, `clients`) share for readable output. */

/** ISO 8601 to the second, or "-" for nothing. */
export function isoSeconds(date: Date | null | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

/** Left-aligned columns with a header row; `empty` when there are no rows. */
export function formatTable(rows: ReadonlyArray<Record<string, string>>, empty: string): string {
  const first = rows[0];
  if (!first) return empty;
  const columns = Object.keys(first);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\n');
}
