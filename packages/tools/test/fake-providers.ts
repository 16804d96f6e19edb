/**
 * Local HTTP servers that answer like Open-Meteo and OpenWeatherMap do (same paths, parameters and
 * JSON shapes, copied from their documented responses), so the real provider code is tested.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServer {
  url: string;
  requests: URL[];
  close: () => Promise<void>;
}

type Handler = (url: URL, req: IncomingMessage) => { status: number; body: unknown; delayMs?: number };

export async function startFake(handler: Handler): Promise<FakeServer> {
  const requests: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url);
    const { status, body, delayMs } = handler(url, req);
    const send = () => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (delayMs) setTimeout(send, delayMs);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const OPEN_METEO_DUBAI_GEOCODE = {
  results: [
    {
      id: 292223,
      name: 'Dubai',
      latitude: 25.07725,
      longitude: 55.30927,
      elevation: 5,
      feature_code: 'PPLA',
      country_code: 'AE',
      admin1_id: 292224,
      timezone: 'Asia/Dubai',
      population: 3478300,
      country_id: 290557,
      country: 'United Arab Emirates',
      admin1: 'Dubai',
    },
  ],
  generationtime_ms: 0.9,
};

export const OPEN_METEO_DUBAI_FORECAST = {
  latitude: 25.125,
  longitude: 55.375,
  generationtime_ms: 0.03,
  utc_offset_seconds: 0,
  timezone: 'GMT',
  timezone_abbreviation: 'GMT',
  elevation: 5,
  current_units: {
    time: 'iso8601',
    interval: 'seconds',
    temperature_2m: '°C',
    relative_humidity_2m: '%',
    weather_code: 'wmo code',
    wind_speed_10m: 'km/h',
  },
  current: {
    time: '2025-07-01T12:00',
    interval: 900,
    temperature_2m: 41.3,
    relative_humidity_2m: 28,
    weather_code: 0,
    wind_speed_10m: 14.8,
  },
};

export const OWM_DUBAI = {
  coord: { lon: 55.3047, lat: 25.2582 },
  weather: [{ id: 800, main: 'Clear', description: 'clear sky', icon: '01d' }],
  base: 'stations',
  main: { temp: 41.3, feels_like: 43.2, temp_min: 40.1, temp_max: 42, pressure: 997, humidity: 28, sea_level: 997, grnd_level: 996 },
  visibility: 10000,
  wind: { speed: 4.12, deg: 330 },
  clouds: { all: 0 },
  dt: 1751371200,
  sys: { type: 1, id: 7537, country: 'AE', sunrise: 1751333000, sunset: 1751382000 },
  timezone: 14400,
  id: 292223,
  name: 'Dubai',
  cod: 200,
};
