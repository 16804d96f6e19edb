// HTTPS when TLS_CERT_FILE and TLS_KEY_FILE are set: a self-signed certificate made here, and a client
// that trusts exactly that certificate (no verification switched off).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, rpc, startServer } from './harness.js';

let dir: string;
let h: Harness | undefined;
let opensslMissing = false;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tls-'));
  try {
    selfSignedCertificate(dir);
  } catch {
    opensslMissing = true;
    return;
  }
  h = await startServer({ TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem') });
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('serves MCP over HTTPS with the configured certificate', async (ctx) => {
  if (opensslMissing || !h) return ctx.skip();
  expect(h.base.protocol).toBe('https:');
  const ca = readFileSync(join(dir, 'cert.pem'));
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(h?.base.port),
        path: '/mcp',
        method: 'POST',
        ca,
        headers: { 'x-api-key': h?.key, 'content-type': 'application/json', accept: 'application/json' },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(rpc('tools/call', { name: 'get_time', arguments: {} }));
  });
  expect(answer.status).toBe(200);
  expect(answer.body).toContain('"timezone":"UTC"');
});

it('refuses a certificate without its key', async () => {
  const { loadConfig } = await import('../src/config.js');
  expect(() => loadConfig({ TLS_CERT_FILE: join(dir, 'cert.pem') })).toThrow(/TLS_CERT_FILE and TLS_KEY_FILE go together/);
});
