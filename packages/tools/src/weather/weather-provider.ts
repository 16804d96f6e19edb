/** What the weather tool needs from a provider, whichever one is configured. */
export interface WeatherReport {
  /** Place name as the provider resolved it, e.g. "Dubai". */
  location: string;
  /** ISO 3166 country code or name, when the provider gives one. */
  country: string | undefined;
  description: string;
  temperatureC: number;
  humidityPercent: number | undefined;
  windSpeedKmh: number | undefined;
  /** ISO 8601 time of the observation. */
  observedAt: string;
  provider: 'open-meteo' | 'openweathermap';
}

export interface WeatherProvider {
  readonly name: WeatherReport['provider'];
  /** The current weather, or undefined when the location is unknown. Throws ToolError otherwise. */
  current(location: string, signal?: AbortSignal): Promise<WeatherReport | undefined>;
}
