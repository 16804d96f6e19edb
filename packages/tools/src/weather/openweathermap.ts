/**
 * OpenWeatherMap current weather (`/data/2.5/weather`, metric units), used when
 * OPENWEATHERMAP_API_KEY is set, as in the article. The key travels in the query string because the
 * API requires it; it never appears in an error message.
 */
import { z } from 'zod';
import { ToolError } from '../tool-definition.js';
import { fetchJson } from './fetch-json.js';
import type { WeatherProvider } from './weather-provider.js';

export interface OpenWeatherMapOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
}

export const OPENWEATHERMAP_DEFAULT_URL = 'https://api.openweathermap.org/data/2.5/weather';

const CurrentWeather = z.object({
  name: z.string(),
  dt: z.number(),
  weather: z.array(z.object({ description: z.string() })).min(1),
  main: z.object({ temp: z.number(), humidity: z.number().optional() }),
  wind: z.object({ speed: z.number() }).optional(),
  sys: z.object({ country: z.string().optional() }).optional(),
});

export function createOpenWeatherMapProvider(options: OpenWeatherMapOptions): WeatherProvider {
  return {
    name: 'openweathermap',
    async current(location, signal) {
      const url = new URL(options.baseUrl);
      url.search = new URLSearchParams({ q: location, units: 'metric', appid: options.apiKey }).toString();
      const { status, body } = await fetchJson(url, { provider: 'openweathermap', timeoutMs: options.timeoutMs, signal });
      if (status === 404) return undefined;
      if (status === 401) throw new ToolError('The weather provider (openweathermap) rejected the configured API key.');
      if (status === 429) throw new ToolError('The weather provider (openweathermap) is rate-limiting this server. Try again later.');
      if (status !== 200) throw new ToolError(`The weather provider (openweathermap) answered HTTP ${status}.`);
      const parsed = CurrentWeather.safeParse(body);
      if (!parsed.success) throw new ToolError('The weather provider (openweathermap) sent an answer in an unexpected format.');
      const w = parsed.data;
      return {
        location: w.name,
        country: w.sys?.country,
        description: (w.weather[0] as { description: string }).description,
        temperatureC: w.main.temp,
        humidityPercent: w.main.humidity,
        // metric units give metres per second
        windSpeedKmh: w.wind ? Math.round(w.wind.speed * 3.6 * 10) / 10 : undefined,
        observedAt: new Date(w.dt * 1000).toISOString(),
        provider: 'openweathermap',
      };
    },
  };
}
