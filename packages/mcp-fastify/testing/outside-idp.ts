/**
 * An outside identity provider for tests: panva's oidc-provider (an OpenID Certified provider) on
 * 127.0.0.1, shaped like Keycloak or like Entra ID, issuing RS256 JWT access tokens by the client
 * credentials grant. Each client stands for a caller and carries that caller's roles in the claim
 * shape of the profile:
 *
 *   keycloak  issuer `<origin>/realms/<realm>`, roles in `realm_access.roles`, `azp`; `aud` only as
 *             an audience mapper would add it (here: the resource indicator's audience)
 *   entra     issuer `<origin>/<tenant-id>/v2.0`, app roles in `roles`, `tid`, `azp`;
 *             `aud` the application ID URI `api://...`
 *
 * Test support only: exported under `@mcp-auth/mcp-fastify/testing` from source, never built.
 */
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientMetadata } from 'oidc-provider';

export type IdpProfile = 'keycloak' | 'entra';

export interface IdpCaller {
  /** The client id, which is also the token's `sub` (client credentials). */
  id: string;
  /** Role values in the IdP's own names, put in the profile's role claim. */
  roles: readonly string[];
}

export interface OutsideIdpOptions {
  profile: IdpProfile;
  /** Keycloak realm or Entra tenant id. */
  tenant: string;
  callers: readonly IdpCaller[];
  /** Resource indicator -> the `aud` of tokens asked for it. The first is the default. */
  audiences: Readonly<Record<string, string>>;
  /** Listen on this port (e.g. a freePort() known before the provider starts); default any. */
  port?: number;
  /** Sign with this private JWK (two providers sharing one key: a token whose only fault is `iss`). */
  signingKey?: JsonWebKey;
}

export interface OutsideIdp {
  readonly issuer: string;
  readonly signingKey: JsonWebKey;
  /** A JWT access token for `caller`, for `resource` (default: the first audience's indicator). */
  /** A client-credentials token; `scope` '' asks for none (as Entra app-role tokens carry none). */
  token(caller: string, resource?: string, scope?: string): Promise<string>;
  close(): Promise<void>;
}

const SECRET = 'outside-idp-test-secret-not-for-use';

export function issuerPath(profile: IdpProfile, tenant: string): string {
  return profile === 'keycloak' ? `/realms/${tenant}` : `/${tenant}/v2.0`;
}

function roleClaims(profile: IdpProfile, caller: IdpCaller, tenant: string): Record<string, unknown> {
  if (profile === 'keycloak')
    return {
      typ: 'Bearer',
      azp: caller.id,
      // Keycloak puts every realm role here, default-roles-<realm> included.
      realm_access: { roles: [`default-roles-${tenant}`, ...caller.roles] },
    };
  return { azp: caller.id, tid: tenant, ver: '2.0', ...(caller.roles.length ? { roles: [...caller.roles] } : {}) };
}

export async function startOutsideIdp(options: OutsideIdpOptions): Promise<OutsideIdp> {
  // Loaded here, not at the top: every test that imports the testing helpers would load it otherwise.
  const { default: Provider, errors } = await import('oidc-provider');
  const signingKey = options.signingKey ?? {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: `${options.tenant}-key`,
  };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const path = issuerPath(options.profile, options.tenant);
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  const callers = new Map(options.callers.map((c) => [c.id, c]));
  const indicators = Object.keys(options.audiences);

  const clients: ClientMetadata[] = options.callers.map((c) => ({
    client_id: c.id,
    client_secret: SECRET,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
  }));
  const provider = new Provider(issuer, {
    ttl: { ClientCredentials: 600 },
    clients,
    jwks: { keys: [{ ...signingKey, alg: 'RS256', use: 'sig' }] as never },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => indicators[0] as string,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          const audience = options.audiences[indicator];
          if (!audience) throw new errors.InvalidTarget();
          return { scope: 'mcp', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const caller = 'clientId' in token && typeof token.clientId === 'string' ? callers.get(token.clientId) : undefined;
      return caller ? roleClaims(options.profile, caller, options.tenant) : undefined;
    },
  });
  // Mounted under the issuer's path, as Keycloak's realms and Entra's tenants are.
  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith(path)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    // As Express's mount does: oidc-provider derives its endpoint URLs from originalUrl minus url.
    Object.assign(req, { originalUrl: req.url });
    req.url = req.url.slice(path.length) || '/';
    handle(req, res);
  });

  return {
    issuer,
    signingKey,
    async token(caller, resource = indicators[0], scope = 'mcp') {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${caller}:${SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}), ...(resource ? { resource } : {}) }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!body.access_token) throw new Error(`token request for ${caller} failed: ${body.error}: ${body.error_description}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
