// The JWKS client against a local issuer stand-in that can hang (accepts the connection, never
// answers): once the cached keys are older than the refresh interval, a request with a cached kid is
// verified from the cache while one background refresh waits on the issuer.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createJwksClient, createRs256TokenIssuer, createRs256Verifier, jwkThumbprint, publicJwk } from '../src/index.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = jwkThumbprint(publicKey);
const signingKey = { kid, privateKey, privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
/** A token signed by the stand-in's key, naming `withKid` (a kid the JWKS does not list, if given). */
const bearer = async (withKid = kid) => {
  const issuer = createRs256TokenIssuer({
    keys: { current: () => ({ ...signingKey, kid: withKid }) },
    issuer: 'https://issuer.test',
    ttlSeconds: 300,
  });
  const { token } = await issuer.issue({ subject: 'alice', audience: 'my-mcp-server', scope: 'mcp' });
  return { kind: 'bearer' as const, token };
};

/** Serves the JWKS until `hang()`; after that it takes requests and never answers them. */
async function issuerStandIn() {
  let hanging = false;
  const held: IncomingMessage[] = [];
  let served = 0;
  const server: Server = createServer((request, response) => {
    if (hanging) {
      held.push(request);
      return;
    }
    served++;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [publicJwk(publicKey)] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    hang: () => {
      hanging = true;
    },
    /** Requests the stand-in holds: taken, never answered, not given up by the client. */
    held: () => held.filter((r) => !r.destroyed).length,
    received: () => served + held.length,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup) await c();
  cleanup = [];
});

describe('JWKS client with a hung issuer', () => {
  // Bounded at 5 s; the fetch timeout is 60 s, so a request that waited for the refresh cannot pass.
  it('verifies a cached kid at once after the refresh interval, refreshing once in the background', { timeout: 5000 }, async () => {
    const standIn = await issuerStandIn();
    cleanup.push(standIn.close);
    const failures: unknown[] = [];
    const jwks = createJwksClient({
      url: standIn.url,
      maxAgeMs: 20,
      cooldownMs: 0,
      timeoutMs: 60_000,
      onRefreshFailed: (e) => failures.push(e),
    });
    const verifier = createRs256Verifier({ keys: { jwks }, issuer: 'https://issuer.test', audiences: ['my-mcp-server'] });
    expect(await jwks.prime()).toBe(true);
    const credential = await bearer();
    expect(verifier.verify(credential)).toMatchObject({ subject: 'alice' });

    standIn.hang();
    const fetchedAt = jwks.status().fetchedAt ?? 0;
    await expect.poll(() => Date.now() - fetchedAt).toBeGreaterThan(20); // the cached set is now due a refresh

    const first = await verifier.verify(credential);
    expect(first.subject).toBe('alice');
    // The refresh it started reached the issuer, which is still holding it unanswered.
    await expect.poll(() => standIn.held()).toBe(1);
    for (let i = 0; i < 5; i++) expect(verifier.verify(credential)).toMatchObject({ subject: 'alice' });
    expect(standIn.held()).toBe(1); // deduplicated: one refresh in flight, not one per request
    expect(failures).toEqual([]);
  });

  it('an unknown kid still waits for the refetch (the only request that may)', async () => {
    const standIn = await issuerStandIn();
    cleanup.push(standIn.close);
    const jwks = createJwksClient({ url: standIn.url, cooldownMs: 0, timeoutMs: 60_000 });
    const verifier = createRs256Verifier({ keys: { jwks }, issuer: 'https://issuer.test', audiences: ['my-mcp-server'] });
    expect(await jwks.prime()).toBe(true);
    standIn.hang();
    let settled = false;
    const unknown = Promise.resolve(verifier.verify(await bearer('rotated-in-later'))).finally(() => {
      settled = true;
    });
    await expect.poll(() => standIn.held()).toBe(1);
    // A cached kid is not held behind the unknown kid's refetch.
    const bearerCredential = await bearer();
    expect(verifier.verify(bearerCredential)).toMatchObject({ subject: 'alice' }); // answered at once, not behind the refetch
    expect(settled).toBe(false);
    await standIn.close(); // the issuer goes away: the refetch fails and the unknown kid is refused
    await expect(unknown).rejects.toMatchObject({ description: 'Token signed by an unknown key (kid)' });
  });
});
