import { describe, expect, it } from 'vitest';
import { getTimeTool, ToolError, zonedTime } from '../src/index.js';

const at = new Date('2025-07-01T12:00:00Z');

describe('zonedTime', () => {
  it.each([
    ['UTC', '2025-07-01T12:00:00+00:00', '+00:00'],
    ['Asia/Dubai', '2025-07-01T16:00:00+04:00', '+04:00'],
    ['Asia/Kolkata', '2025-07-01T17:30:00+05:30', '+05:30'],
    ['America/Los_Angeles', '2025-07-01T05:00:00-07:00', '-07:00'],
  ])('%s', (zone, local, offset) => {
    const time = zonedTime(zone, at);
    expect(time).toMatchObject({ timezone: zone, local, utcOffset: offset, utc: '2025-07-01T12:00:00.000Z' });
  });

  it('follows daylight saving time', () => {
    expect(zonedTime('Europe/London', new Date('2025-01-15T12:00:00Z')).utcOffset).toBe('+00:00');
    expect(zonedTime('Europe/London', at).utcOffset).toBe('+01:00');
  });

  it('names valid examples when the zone is unknown', () => {
    expect(() => zonedTime('Mars/Olympus_Mons', at)).toThrow(ToolError);
    expect(() => zonedTime('Mars/Olympus_Mons', at)).toThrow(/Use an IANA name such as "Europe\/London"/);
  });
});

describe('get_time tool', () => {
  it('is annotated read-only and answers with text and structured content', async () => {
    expect(getTimeTool.annotations.readOnlyHint).toBe(true);
    const result = await getTimeTool.handler(
      { timezone: 'Asia/Tokyo' },
      {
        principal: undefined,
        access: undefined,
        signal: new AbortController().signal,
        reportProgress: async () => {},
        log: async () => {},
      },
    );
    expect(result.structuredContent).toMatchObject({ timezone: 'Asia/Tokyo', utcOffset: '+09:00' });
    expect((result.content[0] as { text: string }).text).toMatch(/^The current time in Asia\/Tokyo is /);
  });
});
