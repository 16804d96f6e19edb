/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): a client whose
 * `client_id` is an https URL is described by the JSON document at that URL. oidc-provider fetches it
 * with its SSRF guard (the connected socket's address is checked, so DNS rebinding cannot slip a
 * private or loopback address past it; no redirects are followed; 5 KiB and 2.5 s limits) and caches
 * it within bounds. What this module adds is the one dev exception: a document on this machine
 * (`https://localhost`, `https://127.0.0.1`, `https://[::1]`) may be fetched in dev, so a client under
 * development can be tried. Production never fetches a loopback or private address.
 */
import { LOOPBACK_HOSTS } from '@mcp-auth/mcp-fastify';

function isLoopbackUrl(url: string | URL): boolean {
  try {
    return LOOPBACK_HOSTS.includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * The provider's `fetch` setting: its own SSRF-guarded fetch, except that in dev a request to a loopback
 * host named literally goes out without the guard's dispatcher.
 */
export function documentFetch(options: { production: boolean }): typeof fetch {
  return (input, init) => {
    if (!options.production && isLoopbackUrl(input instanceof Request ? input.url : input)) {
      const { dispatcher: _guard, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return fetch(input, rest);
    }
    return fetch(input, init);
  };
}
