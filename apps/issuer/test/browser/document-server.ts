/**
 * An https server on 127.0.0.1 that plays a client's web site: it serves Client ID Metadata Documents
 * (and, for the SSRF tests, documents that redirect, are huge, or never finish). Its certificate is
 * self-signed for 127.0.0.1 (selfSignedCertificate); the issuer process trusts it through
 * NODE_EXTRA_CA_CERTS, so no verification is switched off anywhere.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { selfSignedCertificate } from '@mcp-auth/mcp-fastify/testing';

export interface DocumentServer {
  readonly url: string;
  readonly certFile: string;
  /** Requests received, by path. */
  readonly hits: Map<string, number>;
  route(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function startDocumentServer(dir: string, port = 0): Promise<DocumentServer> {
  const { certFile, keyFile } = selfSignedCertificate(dir);
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const hits = new Map<string, number>();
  const server: Server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${address.port}`,
    certFile,
    hits,
    route: (path, handler) => routes.set(path, handler),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Client ID Metadata Document for a public client at `url` (its own client_id). */
export function clientDocument(url: string, redirect: string, extra: Record<string, unknown> = {}) {
  return {
    client_id: url,
    client_name: 'Document-described client',
    client_uri: new URL(url).origin,
    redirect_uris: [redirect],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...extra,
  };
}

export const sendJson =
  (body: unknown, headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
