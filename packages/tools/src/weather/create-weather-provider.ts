/** Picks the provider the article used when it has a key (OpenWeatherMap), else keyless Open-Meteo. */
import { createOpenMeteoProvider, OPEN_METEO_DEFAULTS } from './open-meteo.js';
import { createOpenWeatherMapProvider, OPENWEATHERMAP_DEFAULT_URL } from './openweathermap.js';
import type { WeatherProvider } from './weather-provider.js';

export interface WeatherSettings {
  openWeatherMapApiKey?: string | undefined;
  openWeatherMapUrl?: string | undefined;
  openMeteoGeocodingUrl?: string | undefined;
  openMeteoForecastUrl?: string | undefined;
  timeoutMs: number;
}

export function createWeatherProvider(settings: WeatherSettings): WeatherProvider {
  if (settings.openWeatherMapApiKey) {
    return createOpenWeatherMapProvider({
      apiKey: settings.openWeatherMapApiKey,
      baseUrl: settings.openWeatherMapUrl ?? OPENWEATHERMAP_DEFAULT_URL,
      timeoutMs: settings.timeoutMs,
    });
  }
  return createOpenMeteoProvider({
    geocodingUrl: settings.openMeteoGeocodingUrl ?? OPEN_METEO_DEFAULTS.geocodingUrl,
    forecastUrl: settings.openMeteoForecastUrl ?? OPEN_METEO_DEFAULTS.forecastUrl,
    timeoutMs: settings.timeoutMs,
  });
}
