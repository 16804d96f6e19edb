/**
 * `get_weather`: current weather for a place name (the article's weather_tool), answered from a short
 * cache so a burst of the same question costs one provider call (concurrent misses share one fetch).
 */
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { defineTool, type ToolDefinition } from '../tool-definition.js';
import type { WeatherProvider, WeatherReport } from './weather-provider.js';

export interface WeatherToolOptions {
  provider: WeatherProvider;
  /** How long an answer is reused (default 5 minutes); 0 disables the cache. */
  cacheTtlMs?: number;
}

type CacheEntry = { report: WeatherReport } | { report: undefined };

export function createGetWeatherTool(options: WeatherToolOptions): ToolDefinition {
  const { provider } = options;
  const ttl = options.cacheTtlMs ?? 5 * 60_000;
  const cache =
    ttl > 0
      ? new LRUCache<string, CacheEntry, string>({
          max: 1000,
          ttl,
          // Keyed case-insensitively; the provider is asked with the caller's own spelling (context).
          fetchMethod: async (_key, _stale, { signal, context }) => ({ report: await provider.current(context, signal) }),
        })
      : undefined;

  return defineTool({
    name: 'get_weather',
    title: 'Current weather',
    description: 'Returns the current weather for a city or place name, e.g. "Dubai" or "Paris, FR".',
    inputSchema: {
      location: z.string().trim().min(1).max(100).describe('City or place name'),
    },
    outputSchema: {
      location: z.string(),
      country: z.string().optional(),
      description: z.string(),
      temperatureC: z.number(),
      humidityPercent: z.number().optional(),
      windSpeedKmh: z.number().optional(),
      observedAt: z.string(),
      provider: z.enum(['open-meteo', 'openweathermap']),
    },
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    handler: async ({ location }, { signal }) => {
      const key = location.toLowerCase();
      const entry = cache ? await cache.fetch(key, { signal, context: location }) : { report: await provider.current(location, signal) };
      const report = entry?.report;
      if (!report) {
        return { isError: true, content: [{ type: 'text', text: `Sorry, I couldn't find weather information for ${location}.` }] };
      }
      const place = report.country ? `${report.location}, ${report.country}` : report.location;
      return {
        content: [
          {
            type: 'text',
            text: `The weather in ${place} is currently ${report.description} with a temperature of ${report.temperatureC}°C.`,
          },
        ],
        structuredContent: JSON.parse(JSON.stringify(report)),
      };
    },
  });
}
