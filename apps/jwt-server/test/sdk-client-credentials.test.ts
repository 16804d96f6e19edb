// The official SDK's ClientCredentialsProvider, unchanged, against this server: it discovers the
// token endpoint from the 401's resource_metadata and RFC 8414 metadata, gets a token with
// client_secret_basic and a `resource`, calls tools, and gets a new token after the old one expires.
import { Client, ClientCredentialsProvider, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decode, type Harness, startServer } from './harness.js';

let h: Harness;
beforeAll(async () => {
  // Two-second tokens and no clock tolerance, so the test sees one expire.
  h = await startServer({ TOKEN_TTL_SECONDS: '2', JWT_CLOCK_TOLERANCE_SECONDS: '0' });
});
afterAll(async () => h.close());

it('obtains a token, calls tools, and renews after expiry', async () => {
  const provider = new ClientCredentialsProvider({ clientId: h.clientId, clientSecret: h.clientSecret, expectedIssuer: h.issuer });
  const client = new Client({ name: 'cc-client', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', h.base), { authProvider: provider }));
  try {
    const first = provider.tokens()?.access_token as string;
    expect(decode(first).payload).toMatchObject({ sub: h.clientId, aud: h.resource, iss: h.issuer });
    const result = await client.callTool({ name: 'get_time', arguments: { timezone: 'UTC' } });
    expect(result.structuredContent).toMatchObject({ timezone: 'UTC' });

    await new Promise((resolve) => setTimeout(resolve, 3100));
    const again = await client.callTool({ name: 'get_time', arguments: { timezone: 'Asia/Tokyo' } });
    expect(again.structuredContent).toMatchObject({ timezone: 'Asia/Tokyo' });
    const second = provider.tokens()?.access_token as string;
    expect(second).not.toBe(first);
    expect(decode(second).payload.jti).not.toBe(decode(first).payload.jti);
  } finally {
    await client.close();
  }
  expect(h.logs()).toContain('Token expired');
});
