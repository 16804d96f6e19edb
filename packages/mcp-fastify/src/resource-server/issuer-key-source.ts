/**
 * Where a resource server's token keys come from: a pinned public.pem (PUBLIC_KEY_FILE), the issuer's
 * JWKS at a known URL, or an outside IdP's JWKS found from its discovery metadata (ISSUER_DISCOVERY).
 * Fetched at once and, while nothing could be fetched, retried in the background, so the server
 * becomes ready (GET /ready) without waiting for a request.
 */
import {
  createIssuerDiscovery,
  createJwksClient,
  type IssuerDiscovery,
  IssuerMetadataError,
  type JwksClient,
  type Rs256VerifierOptions,
  readPublicKeyFile,
} from '@mcp-auth/auth';
import type { Logger } from 'pino';
import type { ResourceServerConfig } from './resource-server-config.js';

/** While a resource server holds no issuer keys at all, it asks for them this often. */
const KEY_RETRY_MS = 2000;

export interface IssuerKeySource {
  readonly keys: Rs256VerifierOptions['keys'];
  /** The JWKS client, for the issuer_keys readiness check; undefined with a pinned key. */
  readonly jwks: JwksClient | undefined;
  /** The discovery, for the issuer_metadata readiness check; undefined unless ISSUER_DISCOVERY finds the JWKS. */
  readonly discovery: IssuerDiscovery | undefined;
  /** Stops the background retries. */
  stop(): void;
}

export function issuerKeySource(config: Pick<ResourceServerConfig, 'keys' | 'issuer'>, logger: Logger): IssuerKeySource {
  let keys: Rs256VerifierOptions['keys'];
  let jwksClient: JwksClient | undefined;
  let discovery: IssuerDiscovery | undefined;
  let untilKeys: NodeJS.Timeout | undefined;
  if ('publicKeyFile' in config.keys) {
    keys = { publicPem: readPublicKeyFile(config.keys.publicKeyFile) };
  } else {
    // An outside IdP's JWKS is found from its discovery metadata on the first fetch, and every retry
    // below retries discovery too until it succeeds.
    if ('discoverFrom' in config.keys) discovery = createIssuerDiscovery({ issuer: config.keys.discoverFrom });
    const found = discovery;
    const jwksUrl = 'jwksUrl' in config.keys ? config.keys.jwksUrl : `the jwks_uri in ${config.issuer}'s metadata`;
    const jwks = createJwksClient({
      url: found ? () => found.jwksUri() : jwksUrl,
      cooldownMs: config.keys.cooldownMs,
      onRefreshFailed: (error) =>
        logger.warn({ jwksUrl, reason: String((error as Error).message ?? error) }, 'JWKS refresh failed; using cached keys'),
    });
    // Fetch now so the first request does not wait. If the issuer is down, keep trying in the background
    // until it answers, so the server becomes ready (GET /ready) without waiting for a request.
    void jwks.prime().then((ok) => {
      if (ok) return;
      const metadataError = found?.status().lastError;
      if (metadataError instanceof IssuerMetadataError)
        logger.error({ issuer: config.issuer }, `issuer metadata refused: ${metadataError.message}; requests get 503`);
      else logger.warn({ jwksUrl }, 'issuer unreachable at startup: requests get 503 until its keys can be fetched');
      untilKeys = setInterval(() => {
        if (jwks.size > 0) return clearInterval(untilKeys);
        void jwks.prime().then((fetched) => {
          if (!fetched) return;
          clearInterval(untilKeys);
          logger.info({ jwksUrl: found?.status().jwksUri ?? jwksUrl }, 'issuer reachable: its keys are fetched, requests are verified');
        });
      }, KEY_RETRY_MS);
      untilKeys.unref();
    });
    keys = { jwks };
    jwksClient = jwks;
  }
  return { keys, jwks: jwksClient, discovery, stop: () => clearInterval(untilKeys) };
}
