// The benchmark baseline switch: INSECURE_DISABLE_AUTH serves tools without credentials, says so
// loudly, and cannot be turned on in production.
import { ConfigError } from '@mcp-auth/mcp-fastify';
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { JSON_HEADERS, rpc, startServer } from './harness.js';

it('serves without credentials when disabled for a benchmark, with a warning in the log', async () => {
  const h = await startServer({ INSECURE_DISABLE_AUTH: 'true' });
  try {
    const res = await fetch(new URL('/mcp', h.base), {
      method: 'POST',
      headers: JSON_HEADERS,
      body: rpc('tools/call', { name: 'get_time', arguments: {} }),
    });
    expect(res.status).toBe(200);
    expect(h.logs()).toContain('AUTHENTICATION IS DISABLED');
  } finally {
    await h.close();
  }
});

it('is refused in production', () => {
  expect(() => loadConfig({ NODE_ENV: 'production', INSECURE_DISABLE_AUTH: 'true' })).toThrow(ConfigError);
  expect(() => loadConfig({ NODE_ENV: 'production', INSECURE_DISABLE_AUTH: 'true' })).toThrow(/refused with NODE_ENV=production/);
});
