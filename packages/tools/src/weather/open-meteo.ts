/**
 * Open-Meteo (https://open-meteo.com): keyless. Geocodes the place name, then asks for current
 * conditions at its coordinates. Weather codes are WMO 4677 codes, described in words here.
 */
import { z } from 'zod';
import { ToolError } from '../tool-definition.js';
import { fetchJson } from './fetch-json.js';
import type { WeatherProvider } from './weather-provider.js';

export interface OpenMeteoOptions {
  geocodingUrl: string;
  forecastUrl: string;
  timeoutMs: number;
}

export const OPEN_METEO_DEFAULTS = {
  geocodingUrl: 'https://geocoding-api.open-meteo.com/v1/search',
  forecastUrl: 'https://api.open-meteo.com/v1/forecast',
} as const;

const WMO_CODES: Record<number, string> = {
  0: 'clear sky',
  1: 'mainly clear',
  2: 'partly cloudy',
  3: 'overcast',
  45: 'fog',
  48: 'depositing rime fog',
  51: 'light drizzle',
  53: 'moderate drizzle',
  55: 'dense drizzle',
  56: 'light freezing drizzle',
  57: 'dense freezing drizzle',
  61: 'slight rain',
  63: 'moderate rain',
  65: 'heavy rain',
  66: 'light freezing rain',
  67: 'heavy freezing rain',
  71: 'slight snow fall',
  73: 'moderate snow fall',
  75: 'heavy snow fall',
  77: 'snow grains',
  80: 'slight rain showers',
  81: 'moderate rain showers',
  82: 'violent rain showers',
  85: 'slight snow showers',
  86: 'heavy snow showers',
  95: 'thunderstorm',
  96: 'thunderstorm with slight hail',
  99: 'thunderstorm with heavy hail',
};

const GeocodingResponse = z.object({
  results: z
    .array(
      z.object({
        name: z.string(),
        latitude: z.number(),
        longitude: z.number(),
        country_code: z.string().optional(),
        country: z.string().optional(),
      }),
    )
    .optional(),
});

const ForecastResponse = z.object({
  current: z.object({
    time: z.string(),
    temperature_2m: z.number(),
    relative_humidity_2m: z.number().optional(),
    weather_code: z.number(),
    wind_speed_10m: z.number().optional(),
  }),
  utc_offset_seconds: z.number().optional(),
});

function providerError(status: number, body: unknown): ToolError {
  const reason = (body as { reason?: unknown })?.reason;
  return new ToolError(`The weather provider (open-meteo) answered HTTP ${status}${typeof reason === 'string' ? `: ${reason}` : ''}.`);
}

export function createOpenMeteoProvider(options: OpenMeteoOptions): WeatherProvider {
  return {
    name: 'open-meteo',
    async current(location, signal) {
      const geocodeUrl = new URL(options.geocodingUrl);
      geocodeUrl.search = new URLSearchParams({ name: location, count: '1', language: 'en', format: 'json' }).toString();
      const geo = await fetchJson(geocodeUrl, { provider: 'open-meteo', timeoutMs: options.timeoutMs, signal });
      if (geo.status !== 200) throw providerError(geo.status, geo.body);
      const places = GeocodingResponse.safeParse(geo.body);
      if (!places.success) throw new ToolError('The weather provider (open-meteo) sent a geocoding answer in an unexpected format.');
      const place = places.data.results?.[0];
      if (!place) return undefined;

      const forecastUrl = new URL(options.forecastUrl);
      forecastUrl.search = new URLSearchParams({
        latitude: String(place.latitude),
        longitude: String(place.longitude),
        current: 'temperature_2m,relative_humidity_2m,weather_code,wind_speed_10m',
        timezone: 'GMT',
      }).toString();
      const forecast = await fetchJson(forecastUrl, { provider: 'open-meteo', timeoutMs: options.timeoutMs, signal });
      if (forecast.status !== 200) throw providerError(forecast.status, forecast.body);
      const parsed = ForecastResponse.safeParse(forecast.body);
      if (!parsed.success) throw new ToolError('The weather provider (open-meteo) sent a forecast in an unexpected format.');
      const current = parsed.data.current;
      return {
        location: place.name,
        country: place.country_code ?? place.country,
        description: WMO_CODES[current.weather_code] ?? `weather code ${current.weather_code}`,
        temperatureC: current.temperature_2m,
        humidityPercent: current.relative_humidity_2m,
        windSpeedKmh: current.wind_speed_10m,
        // Asked for in GMT, so the timestamp (which carries no offset) is UTC.
        observedAt: new Date(`${current.time}Z`).toISOString(),
        provider: 'open-meteo',
      };
    },
  };
}
