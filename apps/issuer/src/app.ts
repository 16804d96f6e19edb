/**
 * Method 3's authority. For programs: RS256 access tokens by OAuth client credentials to registered
 * identities (each with a subject, a display name and a job_role). For people: browser sign-in by
 * authorization code + PKCE at /authorize with login and consent pages, clients registered by Client
 * ID Metadata Document, DCR or the clients file, and rotating refresh tokens (oidc-provider, see
 * authorization-server/). It publishes its public keys and its revocations: resource servers never see
 * a private key; they verify against /.well-known/jwks.json and refuse what /revocations lists
 * (revoked clients, and tokens revoked by RFC 7009 /revoke), polling both in the background.
 */
import {
  authorizationServerMetadata,
  buildRevocationFeed,
  claimedClientId,
  createRevocationEndpoint,
  createRs256TokenIssuer,
  createRs256Verifier,
  createTokenEndpoint,
  type KeyRing,
  type OAuthClientStore,
  type RevocationList,
} from '@mcp-auth/auth';
import {
  createHttpApp,
  type FastifyInstance,
  httpSettings,
  type Logger,
  logClientAuthFailures,
  registerOAuthRoutes,
} from '@mcp-auth/mcp-fastify';
import type { ClientMetadata } from 'oidc-provider';
import { providerHandoff, registerProviderRoutes } from './authorization-server/mount.js';
import { createAuthorizationServer, type ScopeRules } from './authorization-server/provider.js';
import { holdProvider } from './authorization-server/provider-holder.js';
import type { ProviderStorage } from './authorization-server/provider-storage.js';
import type { SignInRevocations } from './authorization-server/sign-in-revocations.js';
import { looksLikeJwt, signInTokenRevocation } from './authorization-server/sign-in-token-revocation.js';
import type { IssuerConfig } from './config.js';
import { ownPublicKeys } from './own-public-keys.js';
import type { PeopleStore } from './people/people-store.js';
import { createSignInLimiter } from './people/sign-in-limiter.js';
import { registerInteractionRoutes } from './sign-in/interaction-routes.js';
import { signedValues } from './sign-in/signed-values.js';
import { signingKeysCheck } from './signing-keys.js';

export const SERVER_NAME = 'issuer';

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href.replace(/\/$/, '') === new URL(b).href.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** What the issuer serves people with: the people who may sign in, and where sign-ins are kept. */
export interface SignInDeps {
  people: PeopleStore;
  storage: ProviderStorage;
  cookieSecret: string;
  scopes: ScopeRules;
  describeScope(scope: string): string;
  /** Pre-registered clients (OAUTH_CLIENTS_FILE). */
  clients: readonly ClientMetadata[];
  /** The access tokens of sign-ins, so revoking a sign-in revokes them (sign-in-revocations.ts). */
  accessTokens: SignInRevocations;
}

export async function buildApp(
  config: IssuerConfig,
  deps: { clients: OAuthClientStore; keys: KeyRing; revocations: RevocationList; logger: Logger; signIn: SignInDeps },
): Promise<FastifyInstance> {
  const { server, publicUrl } = config;
  const settings = httpSettings(server);
  const app = await createHttpApp({
    name: SERVER_NAME,
    logger: deps.logger,
    ...settings,
    // The sign-in pages post their forms from the issuer's own origin, which is therefore an allowed
    // browser origin wherever it runs (loopback origins are allowed anyway, other sites are not).
    origin: { ...settings.origin, allowedOrigins: [...settings.origin.allowedOrigins, new URL(publicUrl).origin] },
  });
  app.readiness.add('signing_keys', signingKeysCheck(deps.keys));
  const tokens = createRs256TokenIssuer({ keys: deps.keys, issuer: config.issuer, ttlSeconds: config.tokenTtlSeconds });
  if (!sameUrl(config.issuer, publicUrl)) {
    // RFC 8414 §3.3: the metadata's issuer must be the URL it was discovered at. The SDK client does
    // not check (it keys on the URL), but stricter clients refuse the mismatch.
    app.log[server.production ? 'warn' : 'info'](
      { issuer: config.issuer, publicUrl },
      "ISSUER is not this server's public URL: OAuth discovery by strict clients needs ISSUER=PUBLIC_URL (and resource servers the same ISSUER)",
    );
  }

  // Public keys only. Short caching: a rotated-in key is published at once, and resource servers
  // refetch on an unknown kid anyway.
  app.get('/.well-known/jwks.json', async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(deps.keys.jwks()));

  // Revocations for resource servers to poll (REVOCATION_POLL_SECONDS there). Read from the database
  // on each request, so `clients revoke` in another process is listed at once. Not cached: a poller
  // must not be told an old list is current.
  app.get('/revocations', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send(
      await buildRevocationFeed({
        issuer: config.issuer,
        clients: deps.clients,
        tokens: deps.revocations,
        tokenTtlSeconds: config.tokenTtlSeconds,
      }),
    ),
  );
  const pruner = setInterval(() => deps.revocations.prune(), 10 * 60_000);
  pruner.unref();
  app.addHook('onClose', async () => clearInterval(pruner));
  // Reads its own tokens for /revoke: signature and issuer checked, any audience it issues for.
  const ownTokens = createRs256Verifier({
    keys: { jwks: ownPublicKeys(deps.keys) },
    issuer: config.issuer,
    audiences: [config.defaultAudience, ...config.resources],
  });

  // People's sign-ins: oidc-provider behind the login and consent pages.
  const { signIn } = deps;
  const providers = holdProvider(deps.keys, () => {
    const provider = createAuthorizationServer({
      issuer: config.issuer,
      resources: config.resources,
      scopes: signIn.scopes,
      accessTokenTtlSeconds: config.tokenTtlSeconds,
      refreshTokenIdleSeconds: config.signIn.refreshTokenIdleSeconds,
      signInLifetimeSeconds: config.signIn.lifetimeSeconds,
      cookieKeys: [signIn.cookieSecret],
      production: server.production,
      people: signIn.people,
      storage: signIn.storage,
      accessTokens: signIn.accessTokens,
      signingKey: () => deps.keys.current(),
      clients: signIn.clients,
    });
    // The provider answers its own errors (an error page, or an OAuth error body); a bug or a broken
    // dependency behind one of its 500s reaches the log here, or nowhere.
    provider.on('server_error', (_ctx, error: Error) => app.log.error({ err: error }, 'sign-in failed on a server error'));
    // Its access tokens are on the deny list by now: the storage denied them, and the provider waited
    // (provider-storage.ts, onAccessTokensRevoked). The event is only told after.
    provider.on('grant.revoked', (_ctx, grantId: string) => app.log.info({ grantId }, 'sign-in revoked'));
    return provider;
  });
  const handOff = providerHandoff(providers);
  registerProviderRoutes(app, handOff);
  registerInteractionRoutes(app, {
    providers,
    people: signIn.people,
    scopes: signIn.scopes,
    describeScope: signIn.describeScope,
    limiter: createSignInLimiter({ perAddress: config.signIn.limitPerAddress, perAccount: config.signIn.limitPerAccount }),
    signed: signedValues(signIn.cookieSecret),
    secureCookies: server.production,
  });
  const sweeper = setInterval(() => {
    Promise.all([signIn.storage.sweep(), signIn.accessTokens.prune()]).catch((error: Error) =>
      app.log.warn({ reason: error.message }, 'expired sign-in records not swept; the next sweep retries'),
    );
  }, 10 * 60_000);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));

  const isOwnClient = async (clientId: string) => (await deps.clients.findById(clientId)) !== undefined;
  const clientCredentialsRevocation = createRevocationEndpoint({
    clients: deps.clients,
    revocations: deps.revocations,
    readToken: (token) => ownTokens.verifyToken(token),
    realm: SERVER_NAME,
  });
  const signInTokens = signInTokenRevocation({
    readToken: (token) => ownTokens.verifyToken(token),
    revocations: deps.revocations,
    signIns: signIn.accessTokens,
    forgetGrant: async (grantId) => {
      await new signIn.storage.Adapter('Grant').destroy(grantId);
      await new signIn.storage.Adapter('RefreshToken').revokeByGrantId(grantId);
    },
  });

  await registerOAuthRoutes(app, {
    metadata: authorizationServerMetadata({
      issuer: config.issuer,
      baseUrl: publicUrl,
      scopes: signIn.scopes.all,
      jwksUri: `${publicUrl}/.well-known/jwks.json`,
      revocation: true,
      signIns: true,
    }),
    signIns: {
      grantTypes: ['authorization_code', 'refresh_token'],
      // Refresh tokens of sign-in clients (registered by DCR, a metadata document or the clients file)
      // are the provider's to revoke; their access tokens and the client-credentials clients' tokens
      // are revoked here (`revocation` below).
      claimsRevocation: async (form, authorization) => {
        const clientId = claimedClientId(authorization, form);
        return clientId !== undefined && !looksLikeJwt(form.token) && !(await isOwnClient(clientId));
      },
      handOff,
    },
    revocation: {
      handle: async (input) => {
        const clientId = claimedClientId(input.authorization, (input.body ?? {}) as Record<string, unknown>);
        return clientId !== undefined && !(await isOwnClient(clientId))
          ? signInTokens.handle({ ...input, clientId })
          : clientCredentialsRevocation.handle(input);
      },
    },
    rateLimit: config.rateLimit,
    token: createTokenEndpoint({
      clients: deps.clients,
      defaultAudience: config.defaultAudience,
      resources: config.resources,
      realm: SERVER_NAME,
      issue: ({ client, scopes, audience }) =>
        tokens.issue({
          subject: client.subject,
          audience,
          scope: scopes.join(' '),
          claims: { ...client.claims, client_id: client.clientId, name: client.name, ...(client.role ? { job_role: client.role } : {}) },
        }),
      onClientAuthFailed: logClientAuthFailures(app),
    }),
  });
  return app;
}
