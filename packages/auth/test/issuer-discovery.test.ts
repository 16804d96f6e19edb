// Finding an outside issuer's JWKS from its identifier: OIDC Discovery first, then RFC 8414 with the
// well-known path inserted before the issuer's path; the document must name the issuer exactly and
// keep its keys on https.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIssuerDiscovery, discoveryUrls, IssuerMetadataError } from '../src/index.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Serves `documents` by path; anything else is 404. Records the paths asked for. */
async function metadataServer(documents: (origin: string) => Record<string, unknown>) {
  const asked: string[] = [];
  let origin = '';
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const body = documents(origin)[req.url ?? ''];
    res.statusCode = body === undefined ? 404 : 200;
    res.setHeader('content-type', 'application/json');
    res.end(body === undefined ? '' : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, asked };
}

describe('issuer discovery', () => {
  it('tries OIDC discovery, then RFC 8414 with the path inserted', async () => {
    expect(discoveryUrls('https://sso.example.com/realms/acme')).toEqual([
      'https://sso.example.com/realms/acme/.well-known/openid-configuration',
      'https://sso.example.com/.well-known/oauth-authorization-server/realms/acme',
    ]);
    expect(discoveryUrls('https://tenant.auth0.com/')).toEqual([
      'https://tenant.auth0.com/.well-known/openid-configuration',
      'https://tenant.auth0.com/.well-known/oauth-authorization-server',
    ]);
    const { origin, asked } = await metadataServer((o) => ({
      '/.well-known/oauth-authorization-server/tenant/a': { issuer: `${o}/tenant/a`, jwks_uri: `${o}/keys` },
    }));
    const discovery = createIssuerDiscovery({ issuer: `${origin}/tenant/a` });
    expect(await discovery.jwksUri()).toBe(`${origin}/keys`);
    expect(asked).toEqual(['/tenant/a/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/tenant/a']);
    // Found once, kept: no second fetch.
    expect(await discovery.jwksUri()).toBe(`${origin}/keys`);
    expect(asked).toHaveLength(2);
    expect(discovery.status()).toMatchObject({
      jwksUri: `${origin}/keys`,
      metadataUrl: `${origin}/.well-known/oauth-authorization-server/tenant/a`,
    });
  });

  it('refuses a document for another issuer, without a jwks_uri, or with keys over plain http from https', async () => {
    const { origin } = await metadataServer((o) => ({
      '/a/.well-known/openid-configuration': { issuer: `${o}/b`, jwks_uri: `${o}/keys` },
      '/c/.well-known/openid-configuration': { issuer: `${o}/c` },
    }));
    const other = createIssuerDiscovery({ issuer: `${origin}/a` });
    await expect(other.jwksUri()).rejects.toThrow(IssuerMetadataError);
    expect(other.status().lastError?.message).toContain(`is for issuer "${origin}/b", not ISSUER=${origin}/a`);
    await expect(createIssuerDiscovery({ issuer: `${origin}/c` }).jwksUri()).rejects.toThrow('names no jwks_uri; set JWKS_URL');
    await expect(createIssuerDiscovery({ issuer: `${origin}/none` }).jwksUri()).rejects.toThrow(`no discovery metadata for ${origin}/none`);

    const https = createIssuerDiscovery({
      issuer: 'https://sso.example.com',
      // The https IdP stood in for by a fetch answering from memory: loopback-free, no network.
      fetch: async () => Response.json({ issuer: 'https://sso.example.com', jwks_uri: 'http://sso.example.com/keys' }),
    });
    await expect(https.jwksUri()).rejects.toThrow('names a jwks_uri over plain http (http://sso.example.com/keys); it must use https');
  });
});
