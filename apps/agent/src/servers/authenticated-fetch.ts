/**
 * The fetch the MCP transports use: adds the current credential to every request, and on a 401 renews
 * the credential once (shared by concurrent calls) and retries. A second 401 goes back to the caller
 * as it is: reported, not looped.
 */
import type { CredentialSource } from '../identity/token-source.js';

export function authenticatedFetch(source: CredentialSource, onRenewed?: () => void): typeof fetch {
  const withAuth = (init: RequestInit | undefined, headers: Record<string, string>): RequestInit => {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return { ...init, headers: merged };
  };
  return async (input, init) => {
    const used = await source.current();
    const first = await fetch(input, withAuth(init, used.headers));
    if (first.status !== 401 || !source.renew) return first;
    await first.body?.cancel();
    const renewed = await source.renew(used);
    onRenewed?.();
    return fetch(input, withAuth(init, renewed.headers));
  };
}
