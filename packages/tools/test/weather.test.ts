import { afterEach, describe, expect, it } from 'vitest';
import {
  createGetWeatherTool,
  createOpenMeteoProvider,
  createOpenWeatherMapProvider,
  type ToolDefinition,
  ToolError,
} from '../src/index.js';
import { type FakeServer, OPEN_METEO_DUBAI_FORECAST, OPEN_METEO_DUBAI_GEOCODE, OWM_DUBAI, startFake } from './fake-providers.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function fake(handler: Parameters<typeof startFake>[0]) {
  const server = await startFake(handler);
  servers.push(server);
  return server;
}

const ctx = {
  principal: undefined,
  access: undefined,
  signal: new AbortController().signal,
  reportProgress: async () => {},
  log: async () => {},
};
const call = (tool: ToolDefinition, location: string) => Promise.resolve(tool.handler({ location }, ctx));
const text = (r: { content: Array<{ type: string; text?: string }> }) => r.content.map((c) => c.text).join('');

async function openMeteo(handler: Parameters<typeof startFake>[0], timeoutMs = 2000) {
  const server = await fake(handler);
  const provider = createOpenMeteoProvider({
    geocodingUrl: `${server.url}/v1/search`,
    forecastUrl: `${server.url}/v1/forecast`,
    timeoutMs,
  });
  return { server, provider };
}

describe('Open-Meteo (keyless default)', () => {
  it('geocodes, then reads current conditions, and describes WMO codes in words', async () => {
    const { server, provider } = await openMeteo((url) =>
      url.pathname === '/v1/search' ? { status: 200, body: OPEN_METEO_DUBAI_GEOCODE } : { status: 200, body: OPEN_METEO_DUBAI_FORECAST },
    );
    const tool = createGetWeatherTool({ provider });
    const result = await call(tool, 'Dubai');
    expect(text(result)).toBe('The weather in Dubai, AE is currently clear sky with a temperature of 41.3°C.');
    expect(result.structuredContent).toEqual({
      location: 'Dubai',
      country: 'AE',
      description: 'clear sky',
      temperatureC: 41.3,
      humidityPercent: 28,
      windSpeedKmh: 14.8,
      observedAt: '2025-07-01T12:00:00.000Z',
      provider: 'open-meteo',
    });
    const [geo, forecast] = server.requests;
    expect(geo?.searchParams.get('name')).toBe('Dubai');
    expect(forecast?.searchParams.get('latitude')).toBe('25.07725');
    expect(forecast?.searchParams.get('current')).toContain('weather_code');
  });

  it('URL-encodes the place name (no parameter injection)', async () => {
    const { server, provider } = await openMeteo(() => ({ status: 200, body: { generationtime_ms: 0.1 } }));
    await provider.current('São Paulo&count=100#x');
    expect(server.requests[0]?.searchParams.get('name')).toBe('São Paulo&count=100#x');
    expect(server.requests[0]?.searchParams.get('count')).toBe('1');
  });

  it('says it could not find an unknown place (the article wording)', async () => {
    const { provider } = await openMeteo(() => ({ status: 200, body: { generationtime_ms: 0.1 } }));
    const result = await call(createGetWeatherTool({ provider }), 'Atlantis');
    expect(result.isError).toBe(true);
    expect(text(result)).toBe("Sorry, I couldn't find weather information for Atlantis.");
  });

  it('reports a provider error status with its reason', async () => {
    const { provider } = await openMeteo(() => ({
      status: 400,
      body: { error: true, reason: 'Parameter count must be between 1 and 100' },
    }));
    await expect(provider.current('x')).rejects.toThrow(/HTTP 400: Parameter count must be between 1 and 100/);
  });

  it('rejects an answer in an unexpected format instead of inventing data', async () => {
    const { provider } = await openMeteo((url) =>
      url.pathname === '/v1/search' ? { status: 200, body: OPEN_METEO_DUBAI_GEOCODE } : { status: 200, body: { current: { time: 'x' } } },
    );
    await expect(provider.current('Dubai')).rejects.toThrow(/unexpected format/);
  });

  it('times out with a clear tool error', async () => {
    const { provider } = await openMeteo(() => ({ status: 200, body: OPEN_METEO_DUBAI_GEOCODE, delayMs: 1000 }), 100);
    await expect(provider.current('Dubai')).rejects.toThrow(
      new ToolError('The weather provider (open-meteo) did not answer within 100 ms. Try again later.'),
    );
  });

  it('reports an unreachable provider as a tool error, not a crash', async () => {
    const { server, provider } = await openMeteo(() => ({ status: 200, body: {} }));
    await server.close();
    // A ToolError's message reaches the caller as a tool error result (the server kit turns it into isError).
    await expect(call(createGetWeatherTool({ provider, cacheTtlMs: 0 }), 'Dubai')).rejects.toThrow(
      new ToolError('The weather provider (open-meteo) is unreachable (ECONNREFUSED). Try again later.'),
    );
  });
});

describe('OpenWeatherMap (when OPENWEATHERMAP_API_KEY is set)', () => {
  async function owm(handler: Parameters<typeof startFake>[0]) {
    const server = await fake(handler);
    return {
      server,
      provider: createOpenWeatherMapProvider({ apiKey: 'k3y/with&chars', baseUrl: `${server.url}/data/2.5/weather`, timeoutMs: 2000 }),
    };
  }

  it('reads current weather in metric units, wind converted to km/h', async () => {
    const { server, provider } = await owm(() => ({ status: 200, body: OWM_DUBAI }));
    const result = await call(createGetWeatherTool({ provider }), 'Dubai');
    expect(text(result)).toBe('The weather in Dubai, AE is currently clear sky with a temperature of 41.3°C.');
    expect(result.structuredContent).toMatchObject({
      windSpeedKmh: 14.8,
      humidityPercent: 28,
      provider: 'openweathermap',
      observedAt: '2025-07-01T12:00:00.000Z',
    });
    const request = server.requests[0] as URL;
    expect(request.searchParams.get('q')).toBe('Dubai');
    expect(request.searchParams.get('units')).toBe('metric');
    expect(request.searchParams.get('appid')).toBe('k3y/with&chars');
  });

  it('404 city not found is "could not find"', async () => {
    const { provider } = await owm(() => ({ status: 404, body: { cod: '404', message: 'city not found' } }));
    expect(await provider.current('Atlantis')).toBeUndefined();
  });

  it('a rejected key is a clear error that does not echo the key', async () => {
    const { provider } = await owm(() => ({
      status: 401,
      body: { cod: 401, message: 'Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.' },
    }));
    const error = await provider.current('Dubai').catch((e: Error) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as Error).message).toBe('The weather provider (openweathermap) rejected the configured API key.');
    expect((error as Error).message).not.toContain('k3y');
  });
});

describe('cache', () => {
  it('answers repeated questions from the cache, case-insensitively, and shares concurrent misses', async () => {
    const { server, provider } = await openMeteo((url) =>
      url.pathname === '/v1/search'
        ? { status: 200, body: OPEN_METEO_DUBAI_GEOCODE, delayMs: 50 }
        : { status: 200, body: OPEN_METEO_DUBAI_FORECAST },
    );
    const tool = createGetWeatherTool({ provider, cacheTtlMs: 60_000 });
    await Promise.all([call(tool, 'Dubai'), call(tool, 'dubai'), call(tool, 'DUBAI')]);
    await call(tool, 'Dubai');
    expect(server.requests.length).toBe(2); // one geocode, one forecast
  });

  it('does not cache failures', async () => {
    let fail = true;
    const { provider } = await openMeteo((url) => {
      if (fail) return { status: 503, body: { error: true, reason: 'busy' } };
      return url.pathname === '/v1/search'
        ? { status: 200, body: OPEN_METEO_DUBAI_GEOCODE }
        : { status: 200, body: OPEN_METEO_DUBAI_FORECAST };
    });
    const tool = createGetWeatherTool({ provider, cacheTtlMs: 60_000 });
    await expect(call(tool, 'Dubai')).rejects.toThrow(/HTTP 503/);
    fail = false;
    expect((await call(tool, 'Dubai')).isError).toBeUndefined();
  });
});
