/** The weather tool's settings, read from the environment by any app that serves it. */
import type { WeatherSettings } from './create-weather-provider.js';

/** What this needs of the server kit's EnvReader (kept structural so tools do not depend on the kit). */
export interface SettingsReader {
  raw(name: string): string | undefined;
  int(name: string, fallback: number, range: { min: number; max: number }): number;
  optionalUrl(name: string): string | undefined;
}

export function readWeatherSettings(env: SettingsReader): WeatherSettings & { cacheTtlMs: number } {
  return {
    openWeatherMapApiKey: env.raw('OPENWEATHERMAP_API_KEY'),
    openWeatherMapUrl: env.optionalUrl('OPENWEATHERMAP_URL'),
    openMeteoGeocodingUrl: env.optionalUrl('OPEN_METEO_GEOCODING_URL'),
    openMeteoForecastUrl: env.optionalUrl('OPEN_METEO_FORECAST_URL'),
    timeoutMs: env.int('WEATHER_TIMEOUT_MS', 5000, { min: 100, max: 60_000 }),
    cacheTtlMs: env.int('WEATHER_CACHE_TTL_SECONDS', 300, { min: 0, max: 86_400 }) * 1000,
  };
}
