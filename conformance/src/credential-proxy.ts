/**
 * A reverse proxy on 127.0.0.1 that adds one credential header to every request and forwards it,
 * unchanged otherwise, to the server under test. The conformance suite has no way to send our API
 * keys or tokens, so it talks to this proxy as if it were the server.
 *
 * Everything else passes through as sent, Host and Origin included (the DNS-rebinding scenario sends
 * foreign ones, and the server must see them to refuse them), and responses are streamed back as
 * they arrive: an SSE stream stays open and flushes event by event.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CredentialProxy {
  /** The proxy's origin, e.g. http://127.0.0.1:40123 (no trailing slash). */
  readonly url: string;
  close(): Promise<void>;
}

export interface CredentialProxyOptions {
  /** Origin of the server under test, e.g. http://127.0.0.1:8100. */
  readonly target: string;
  /** Header name (lower case) and value put on every forwarded request, replacing one the client sent. */
  readonly header: readonly [name: string, value: string];
}

export async function startCredentialProxy({ target, header }: CredentialProxyOptions): Promise<CredentialProxy> {
  const upstream = new URL(target);
  const [headerName, headerValue] = header;

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const headers = { ...req.headers, [headerName]: headerValue };
    const outgoing = request(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        // Headers go out at once, so an SSE client sees its stream open before the first event.
        res.flushHeaders();
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    outgoing.on('error', (error) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end(`credential proxy: ${error.message}`);
    });
    // The client went away (closed an SSE stream, aborted): end the upstream request too, so the
    // server sees the disconnect as it would without the proxy.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  };

  const server = createServer(forward);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
