// The agent names the real cause when it cannot use a server: unreachable, a server error, a refused
// credential, and only for a 403 insufficient_scope the role. Real HTTP servers on 127.0.0.1 answer
// each way; a closed port is a server that is down.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { CredentialSource } from '../src/identity/token-source.js';
import { ServerPool } from '../src/servers/server-pool.js';
import { freePort } from './harness.js';

const staticToken: CredentialSource = {
  description: 'a test token',
  current: async () => ({ headers: { authorization: 'Bearer t' }, claims: undefined }),
  renew: undefined,
};

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function answering(status: number, headers: Record<string, string>, body: unknown): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

async function reasonFor(url: string): Promise<string | undefined> {
  const pool = new ServerPool(staticToken);
  const [report] = await pool.connect([{ name: 'hr-server', namespace: 'hr', url }]);
  await pool.close();
  expect(report?.ok).toBe(false);
  return report?.reason;
}

describe('why a server was skipped', () => {
  it('a closed port: not reachable, with the network error', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    expect(await reasonFor(url)).toBe(`hr-server at ${url} is not reachable (ECONNREFUSED)`);
  });

  it('a 503: what the server said, not the role', async () => {
    const url = await answering(
      503,
      { 'retry-after': '5' },
      { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'issuer unreachable' } },
    );
    expect(await reasonFor(url)).toBe(`hr-server at ${url} answered 503: issuer unreachable`);
  });

  it('a 401: the credential was not accepted, with the reason', async () => {
    const url = await answering(
      401,
      { 'www-authenticate': 'Bearer error="invalid_token"' },
      { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Token expired' } },
    );
    expect(await reasonFor(url)).toBe('refused (401): the credential was not accepted: Token expired');
  });

  it('a 403 insufficient_scope: the role', async () => {
    const url = await answering(
      403,
      { 'www-authenticate': 'Bearer error="insufficient_scope", error_description="role Employee may not use crm-server"' },
      { jsonrpc: '2.0', id: null, error: { code: -32003, message: 'role Employee may not use crm-server' } },
    );
    expect(await reasonFor(url)).toBe('refused (403 insufficient_scope): your role may not use it: role Employee may not use crm-server');
  });

  it('another 403 (e.g. an Origin refused) does not blame the role', async () => {
    const url = await answering(403, {}, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Forbidden: Host not allowed' } });
    const reason = await reasonFor(url);
    expect(reason).toBe('refused (403): Forbidden: Host not allowed');
    expect(reason).not.toContain('role');
  });
});
