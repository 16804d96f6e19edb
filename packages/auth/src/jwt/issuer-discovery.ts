/**
 * Finds an outside identity provider's JWKS from its issuer identifier, as OpenID Connect Discovery
 * 1.0 and RFC 8414 define, so a resource server configured with only ISSUER (Keycloak's
 * `https://sso.example.com/realms/acme`, Entra's `https://login.microsoftonline.com/<tenant>/v2.0`)
 * verifies that provider's tokens.
 *
 * Tried in order, the first document found wins:
 *   1. `<issuer>/.well-known/openid-configuration` (OIDC Discovery §4, what Keycloak and Entra serve);
 *   2. `<origin>/.well-known/oauth-authorization-server<path>` (RFC 8414 §3.1, path inserted).
 * The document's `issuer` MUST be identical to the issuer it was fetched for (OIDC Discovery §4.3,
 * RFC 8414 §3.3): otherwise an attacker who can serve a document there could name keys for another
 * issuer. The answer is kept for the life of the process once found; failures are retried by callers.
 */

export interface IssuerDiscoveryOptions {
  /** The expected `iss` of tokens: the issuer identifier discovery starts from. */
  issuer: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface IssuerDiscoveryStatus {
  readonly jwksUri: string | undefined;
  /** Where the metadata was found. */
  readonly metadataUrl: string | undefined;
  /** Why the latest attempt failed; undefined once one succeeded or before any. */
  readonly lastError: Error | undefined;
}

/** A metadata document that answers for another issuer, or names no usable JWKS. Not a network problem. */
export class IssuerMetadataError extends Error {
  override readonly name = 'IssuerMetadataError';
}

/** The metadata URLs for an issuer, in the order they are tried. */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  return [`${url.origin}${path}/.well-known/openid-configuration`, `${url.origin}/.well-known/oauth-authorization-server${path}`];
}

export function createIssuerDiscovery(options: IssuerDiscoveryOptions) {
  const doFetch = options.fetch ?? fetch;
  let found: { jwksUri: string; metadataUrl: string } | undefined;
  let inflight: Promise<string> | undefined;
  let lastError: Error | undefined;

  /** The document at `url`, or undefined when there is none there (so the next URL is tried). */
  async function fetchMetadata(url: string): Promise<Record<string, unknown> | undefined> {
    const response = await doFetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      headers: { accept: 'application/json' },
    });
    if (response.status === 404 || response.status === 405) return undefined;
    if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new IssuerMetadataError(`${url} is not a JSON metadata document`);
    return body as Record<string, unknown>;
  }

  async function discover(): Promise<string> {
    const tried: string[] = [];
    for (const url of discoveryUrls(options.issuer)) {
      const metadata = await fetchMetadata(url);
      if (!metadata) {
        tried.push(url);
        continue;
      }
      if (metadata.issuer !== options.issuer) {
        throw new IssuerMetadataError(
          `the metadata at ${url} is for issuer ${JSON.stringify(metadata.issuer)}, not ISSUER=${options.issuer}; they must be identical (set ISSUER to the provider's issuer exactly as its metadata spells it)`,
        );
      }
      const jwksUri = typeof metadata.jwks_uri === 'string' ? metadata.jwks_uri : undefined;
      if (!jwksUri) throw new IssuerMetadataError(`the metadata at ${url} names no jwks_uri; set JWKS_URL`);
      let parsed: URL;
      try {
        parsed = new URL(jwksUri);
      } catch {
        throw new IssuerMetadataError(`the metadata at ${url} has a jwks_uri that is not a URL: ${jwksUri}`);
      }
      // Keys fetched over plain http from an https issuer would be the weak link: refuse the downgrade.
      if (new URL(options.issuer).protocol === 'https:' && parsed.protocol !== 'https:')
        throw new IssuerMetadataError(`the metadata at ${url} names a jwks_uri over plain http (${jwksUri}); it must use https`);
      found = { jwksUri, metadataUrl: url };
      return jwksUri;
    }
    throw new Error(`no discovery metadata for ${options.issuer} (tried ${tried.join(' and ')}: not found)`);
  }

  return {
    /** The issuer's jwks_uri, discovering it on the first call (deduplicated); throws while unknown. */
    jwksUri(): Promise<string> {
      if (found) return Promise.resolve(found.jwksUri);
      inflight ??= discover()
        .then(
          (uri) => {
            lastError = undefined;
            return uri;
          },
          (error: unknown) => {
            lastError = error instanceof Error ? error : new Error(String(error));
            throw lastError;
          },
        )
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    },
    status(): IssuerDiscoveryStatus {
      return { jwksUri: found?.jwksUri, metadataUrl: found?.metadataUrl, lastError };
    },
  };
}

export type IssuerDiscovery = ReturnType<typeof createIssuerDiscovery>;
