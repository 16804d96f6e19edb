// The API-key server with every kind of client (SDK v2, SDK v1 as clients in the field run it, legacy
// SSE): tools list and call with every accepted header form, and the principal reaching tool handlers.
import { CLIENT_KINDS, type ClientKind, type TestClient } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Harness, startServer, textOf } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(async () => h.close());

const headerForms = (key: string): Record<string, Record<string, string>> => {
  const [, id, secret] = /^(mcpk_[0-9a-z]{16})_(.+)$/.exec(key) as RegExpExecArray;
  return {
    'X-API-Key': { 'X-API-Key': key },
    'Authorization: Bearer': { Authorization: `Bearer ${key}` },
    'Authorization: bearer (lower-case scheme)': { Authorization: `bearer ${key}` },
    'Authorization: Basic key:': { Authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
    'Authorization: Basic id:secret': { Authorization: `BASIC ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
  };
};

describe.each<ClientKind>(CLIENT_KINDS)('with the %s client', (kind) => {
  it.each(Object.keys(headerForms('mcpk_0000000000000000_x')))('lists and calls tools with %s', async (form) => {
    const headers = headerForms(h.key)[form] as Record<string, string>;
    const client: TestClient = await connect(h.base, kind, headers);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['get_time', 'get_weather']);
      expect(tools.find((t) => t.name === 'get_time')?.annotations?.readOnlyHint).toBe(true);
      const result = await client.callTool({ name: 'get_time', arguments: { timezone: 'Asia/Dubai' } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ timezone: 'Asia/Dubai', utcOffset: '+04:00' });
    } finally {
      await client.close();
    }
  });

  it('returns a readable tool error for an unknown time zone', async () => {
    const client = await connect(h.base, kind, { 'X-API-Key': h.key });
    try {
      const result = await client.callTool({ name: 'get_time', arguments: { timezone: 'Mars/Olympus_Mons' } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('Unknown time zone "Mars/Olympus_Mons"');
    } finally {
      await client.close();
    }
  });

  it('rejects bad tool arguments with a validation message', async () => {
    const client = await connect(h.base, kind, { 'X-API-Key': h.key });
    try {
      const result = await client.callTool({ name: 'get_time', arguments: { timezone: 42 } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/timezone/);
    } finally {
      await client.close();
    }
  });
});

describe('audit', () => {
  it('writes one audit event per tool call with principal, tool and outcome, and no arguments', async () => {
    const client = await connect(h.base, 'v2-legacy', { 'X-API-Key': h.key });
    try {
      await client.callTool({ name: 'get_time', arguments: { timezone: 'Pacific/Auckland' } });
    } finally {
      await client.close();
    }
    const events = h
      .logs()
      .split('\n')
      .filter((line) => line.includes('"event":"tool_call"'))
      .map((line) => JSON.parse(line));
    const event = events.find((e) => e.tool === 'get_time' && e.outcome === 'ok');
    expect(event).toMatchObject({ server: 'apikey-server', principal: `apikey:${h.keyId}`, decision: 'allow' });
    expect(typeof event.durationMs).toBe('number');
    expect(typeof event.time).toBe('string');
    expect(h.logs()).not.toContain('Pacific/Auckland');
  });
});
