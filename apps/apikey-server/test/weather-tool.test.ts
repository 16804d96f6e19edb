// get_weather through the real server and SDK client, with the weather provider played by a local
// server that answers in Open-Meteo's format; and a clear tool error when the provider is down.
import { CLIENT_KINDS } from '@mcp-auth/mcp-fastify/testing';
import { type FakeServer, OPEN_METEO_DUBAI_FORECAST, OPEN_METEO_DUBAI_GEOCODE, startFake } from '@mcp-auth/tools/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect, type Harness, startServer, textOf } from './harness.js';

let provider: FakeServer;
let h: Harness;
beforeAll(async () => {
  provider = await startFake((url) =>
    url.pathname === '/v1/search' ? { status: 200, body: OPEN_METEO_DUBAI_GEOCODE } : { status: 200, body: OPEN_METEO_DUBAI_FORECAST },
  );
  h = await startServer({
    OPEN_METEO_GEOCODING_URL: `${provider.url}/v1/search`,
    OPEN_METEO_FORECAST_URL: `${provider.url}/v1/forecast`,
    WEATHER_CACHE_TTL_SECONDS: '0',
  });
});
afterAll(async () => {
  await h.close();
  await provider.close();
});

it('answers "What is the weather like in Dubai?" to every kind of client', async () => {
  for (const kind of CLIENT_KINDS) {
    const client = await connect(h.base, kind, { 'X-API-Key': h.key });
    try {
      const result = await client.callTool({ name: 'get_weather', arguments: { location: 'Dubai' } });
      expect(textOf(result)).toBe('The weather in Dubai, AE is currently clear sky with a temperature of 41.3°C.');
      expect(result.structuredContent).toMatchObject({ provider: 'open-meteo', temperatureC: 41.3 });
    } finally {
      await client.close();
    }
  }
});

it('turns an unreachable provider into a tool error the model can read', async () => {
  await provider.close();
  const client = await connect(h.base, 'v2-legacy', { 'X-API-Key': h.key });
  try {
    const result = await client.callTool({ name: 'get_weather', arguments: { location: 'Dubai' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('The weather provider (open-meteo) is unreachable (ECONNREFUSED). Try again later.');
    const audit = h
      .logs()
      .split('\n')
      .filter((l) => l.includes('"tool":"get_weather"') && l.includes('"outcome":"tool_error"'));
    expect(audit).toHaveLength(1);
  } finally {
    await client.close();
  }
});
