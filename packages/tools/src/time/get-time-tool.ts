/**
 * `get_time`: the current time in an IANA time zone (the article's TimeTool). Defaults to UTC, which
 * means the same thing on every server; an unknown zone gets an error naming valid examples.
 */
import { z } from 'zod';
import { defineTool, ToolError } from '../tool-definition.js';

interface ZoneFormatters {
  readonly parts: Intl.DateTimeFormat;
  readonly text: Intl.DateTimeFormat;
}

// Building an Intl.DateTimeFormat costs far more than using one; valid zones are few, so keep them.
const formatters = new Map<string, ZoneFormatters>();

function formattersFor(timeZone: string): ZoneFormatters {
  let cached = formatters.get(timeZone);
  if (!cached) {
    try {
      cached = {
        parts: new Intl.DateTimeFormat('en-US', {
          timeZone,
          hourCycle: 'h23',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
          timeZoneName: 'longOffset',
        }),
        text: new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'long' }),
      };
    } catch {
      throw new ToolError(`Unknown time zone "${timeZone}". Use an IANA name such as "Europe/London", "Asia/Dubai" or "UTC".`);
    }
    formatters.set(timeZone, cached);
  }
  return cached;
}

export interface ZonedTime {
  timezone: string;
  /** Local wall-clock time, ISO 8601 with offset: 2025-07-01T16:00:00+04:00. */
  local: string;
  utc: string;
  utcOffset: string;
  text: string;
}

/** The time `at` in `timeZone`; throws ToolError for a zone the runtime does not know. */
export function zonedTime(timeZone: string, at: Date = new Date()): ZonedTime {
  const { parts, text } = formattersFor(timeZone);
  const p: Record<string, string> = {};
  for (const part of parts.formatToParts(at)) p[part.type] = part.value;
  const offsetName = p.timeZoneName ?? 'GMT';
  const utcOffset = offsetName === 'GMT' ? '+00:00' : offsetName.replace('GMT', '');
  return {
    timezone: timeZone,
    local: `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${utcOffset}`,
    utc: at.toISOString(),
    utcOffset,
    text: text.format(at),
  };
}

export const getTimeTool = defineTool({
  name: 'get_time',
  title: 'Current time',
  description: 'Returns the current date and time in an IANA time zone, e.g. "Asia/Dubai". Defaults to UTC.',
  inputSchema: {
    timezone: z.string().trim().min(1).max(64).default('UTC').describe('IANA time zone name, e.g. "Europe/Paris"'),
  },
  outputSchema: {
    timezone: z.string(),
    local: z.string().describe('ISO 8601 local time with UTC offset'),
    utc: z.string().describe('ISO 8601 UTC time'),
    utcOffset: z.string(),
    text: z.string(),
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  handler: ({ timezone }) => {
    const time = zonedTime(timezone);
    return {
      content: [{ type: 'text', text: `The current time in ${time.timezone} is ${time.text} (${time.local}).` }],
      structuredContent: { ...time },
    };
  },
});
