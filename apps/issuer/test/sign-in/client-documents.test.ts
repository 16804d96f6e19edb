// Client ID Metadata Documents and SSRF: the issuer fetches a URL a stranger chose, so it must not be
// turned against the network it sits in. In dev, a document on this machine may be fetched (to try a
// client under development), but one that redirects, is over 5 KiB, takes over 2.5 s, or names another
// client_id is refused. In production, a loopback or private address is never fetched at all: the
// request does not even reach it. The issuer runs as a process that trusts the test's https server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKeyPair } from '@mcp-auth/auth';
import { freePort, type LaunchedProcess, launchApp, untilOutput } from '@mcp-auth/mcp-fastify/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCookieSecret } from '../../src/authorization-server/cookie-secret.js';
import { clientDocument, type DocumentServer, sendJson, startDocumentServer } from '../browser/document-server.js';
import { pkce } from './fetch-browser.js';

const issuerDir = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'client-documents-'));
const REDIRECT = 'http://127.0.0.1:7788/callback';
let documents: DocumentServer;
const issuers: LaunchedProcess[] = [];

async function startIssuerProcess(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const run = launchApp(issuerDir, {
    PORT: String(port),
    RESOURCE_SERVERS: 'http://127.0.0.1:8001/',
    NODE_EXTRA_CA_CERTS: documents.certFile,
    LOG_LEVEL: 'info',
    ...env,
  });
  issuers.push(run);
  await untilOutput(run, 'issuer listening');
  return `http://127.0.0.1:${port}`;
}

let dev: string;
let production: string;
beforeAll(async () => {
  documents = await startDocumentServer(dir);
  dev = await startIssuerProcess({ DATA_DIR: join(dir, 'dev'), MCP_AUTH_DIR: join(dir, 'dev-keys'), NODE_ENV: 'development' });
  const keys = join(dir, 'prod-keys');
  writeKeyPair(keys);
  writeCookieSecret(keys);
  production = await startIssuerProcess({
    DATA_DIR: join(dir, 'prod'),
    MCP_AUTH_DIR: keys,
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://issuer.example',
    ISSUER: 'https://issuer.example',
    HOST: '127.0.0.1',
  });
}, 120_000);

afterAll(async () => {
  for (const run of issuers) {
    run.child.kill('SIGTERM');
    await run.exited;
  }
  await documents?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a sign-in for `clientId` at `issuer`; returns the first answer (no redirects followed). */
async function authorize(issuer: string, clientId: string) {
  const url = new URL(`${issuer}/authorize`);
  const { challenge } = pkce();
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'mcp',
    resource: 'http://127.0.0.1:8001/',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

describe('Client ID Metadata Documents', () => {
  it('in dev, a document on this machine is fetched and the sign-in goes on to the login page', async () => {
    const id = `${documents.url}/good.json`;
    documents.route('/good.json', sendJson(clientDocument(id, REDIRECT)));
    const answer = await authorize(dev, id);
    expect(answer.status).toBe(303);
    expect(answer.location).toMatch(/^\/interaction\//);
    expect(documents.hits.get('/good.json')).toBe(1);
  });

  it('refuses a document that redirects (to a private address or anywhere), without following it', async () => {
    const id = `${documents.url}/moved.json`;
    documents.route('/moved.json', (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
    const answer = await authorize(dev, id);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('invalid_client');
    expect(answer.location).toBeNull();
  });

  it('refuses a document over 5 KiB, and one that takes too long', async () => {
    const huge = `${documents.url}/huge.json`;
    documents.route('/huge.json', sendJson(clientDocument(huge, REDIRECT, { client_name: 'x'.repeat(20_000) })));
    expect((await authorize(dev, huge)).body).toContain('invalid_client');
    const slow = `${documents.url}/slow.json`;
    documents.route('/slow.json', (_req, res) => {
      const timer = setTimeout(() => sendJson(clientDocument(slow, REDIRECT))(_req, res), 10_000);
      res.on('close', () => clearTimeout(timer));
    });
    // Had the issuer waited the 10 s, the document would have been accepted.
    expect((await authorize(dev, slow)).body).toContain('invalid_client');
  });

  it('refuses a document that names another client_id, or lists another redirect URI', async () => {
    const id = `${documents.url}/impostor.json`;
    documents.route('/impostor.json', sendJson(clientDocument('https://claude.ai/oauth/client.json', REDIRECT)));
    expect((await authorize(dev, id)).body).toContain('invalid_client');
    const other = `${documents.url}/other-redirect.json`;
    documents.route('/other-redirect.json', sendJson(clientDocument(other, 'https://evil.example/callback')));
    const answer = await authorize(dev, other);
    expect(answer.status).toBe(400);
    expect(answer.location).toBeNull();
  });

  it('in production, never fetches a loopback address: the request does not reach it', async () => {
    const id = `${documents.url}/production.json`;
    documents.route('/production.json', sendJson(clientDocument(id, REDIRECT)));
    const answer = await authorize(production, id);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('invalid_client');
    expect(documents.hits.get('/production.json')).toBeUndefined();
  });
});
