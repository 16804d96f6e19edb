/**
 * apikey-server settings from the environment, validated at startup with every problem listed.
 */
import { join } from 'node:path';
import { type Env, EnvReader, readServerConfig, type ServerConfig } from '@mcp-auth/mcp-fastify';
import type { WeatherSettings } from '@mcp-auth/tools';

export interface ApiKeyServerConfig {
  readonly server: ServerConfig;
  /** SQLite file holding the API keys (hashes only). */
  readonly keysDbPath: string;
  readonly weather: WeatherSettings & { cacheTtlMs: number };
}

export const DEFAULT_PORT = 8100;

export function readWeatherSettings(env: EnvReader): ApiKeyServerConfig['weather'] {
  return {
    openWeatherMapApiKey: env.raw('OPENWEATHERMAP_API_KEY'),
    openWeatherMapUrl: env.optionalUrl('OPENWEATHERMAP_URL'),
    openMeteoGeocodingUrl: env.optionalUrl('OPEN_METEO_GEOCODING_URL'),
    openMeteoForecastUrl: env.optionalUrl('OPEN_METEO_FORECAST_URL'),
    timeoutMs: env.int('WEATHER_TIMEOUT_MS', 5000, { min: 100, max: 60_000 }),
    cacheTtlMs: env.int('WEATHER_CACHE_TTL_SECONDS', 300, { min: 0, max: 86_400 }) * 1000,
  };
}

export function loadConfig(source: Env = process.env): ApiKeyServerConfig {
  const env = new EnvReader(source);
  const server = readServerConfig(env, { port: DEFAULT_PORT });
  const weather = readWeatherSettings(env);
  env.finish();
  return { server, keysDbPath: join(server.dataDir, 'apikey-server.db'), weather };
}
