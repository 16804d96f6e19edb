/**
 * Why a server could not be used, in words that name the real cause: not reachable (and the network
 * error), answered 5xx (and what it said), refused the credential (401), refused this role (only a
 * 403 whose WWW-Authenticate says insufficient_scope, RFC 6750 §3.1), or refused otherwise (403).
 * The SDK's errors carry neither the status line nor the headers, so the HTTP answer is taken from the
 * agent's own fetch (`recordingFetch`) and the network cause from the error's `cause` chain.
 */
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import type { ServerTarget } from './select-servers.js';

export interface HttpRefusal {
  status: number;
  wwwAuthenticate: string | null;
  /** The JSON-RPC error message or OAuth error_description of the body, when it has one. */
  detail: string | undefined;
}

/** Wraps `fetch` so that the last non-2xx answer is kept for `describeFailure`. */
export function recordingFetch(inner: typeof fetch): { fetch: typeof fetch; last: () => HttpRefusal | undefined } {
  let last: HttpRefusal | undefined;
  return {
    last: () => last,
    fetch: async (input, init) => {
      const response = await inner(input, init);
      if (response.status >= 400) {
        const body = (await response
          .clone()
          .json()
          .catch(() => undefined)) as { error?: { message?: unknown } | unknown; error_description?: unknown } | undefined;
        const rpc = body && typeof body.error === 'object' ? (body.error as { message?: unknown }).message : undefined;
        const text = typeof rpc === 'string' ? rpc : typeof body?.error_description === 'string' ? body.error_description : undefined;
        last = { status: response.status, wwwAuthenticate: response.headers.get('www-authenticate'), detail: text };
      }
      return response;
    },
  };
}

/** The network error code (ECONNREFUSED, ENOTFOUND, ...) somewhere in the error's cause chain. */
export function networkCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown; event?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && /^(E[A-Z]+|UND_ERR_\w+)$/.test(e.code)) return e.code;
    e = (e.cause ?? (e.event as { error?: unknown } | undefined)?.error) as typeof e;
  }
  return undefined;
}

/** True when trying another transport cannot help: the server answered, or cannot be reached at all. */
export function isFinal(error: unknown, refusal: HttpRefusal | undefined): boolean {
  return (
    networkCode(error) !== undefined ||
    (refusal !== undefined && (refusal.status === 401 || refusal.status === 403 || refusal.status >= 500))
  );
}

export function describeFailure(server: ServerTarget, error: unknown, refusal: HttpRefusal | undefined): string {
  const code = networkCode(error);
  if (code) return `${server.name} at ${server.url} is not reachable (${code})`;
  const said = refusal?.detail ? `: ${refusal.detail}` : '';
  if (refusal?.status === 403) {
    if (/error="insufficient_scope"/.test(refusal.wwwAuthenticate ?? ''))
      return `refused (403 insufficient_scope): your role may not use it${said}`;
    return `refused (403)${said}`;
  }
  if (refusal?.status === 401) return `refused (401): the credential was not accepted${said}`;
  // The server answered, but not in the era asked for (a pinned revision it does not speak); a 5xx
  // during the probe is the server's failure and is reported as such below.
  if (error instanceof SdkError && error.code === SdkErrorCode.EraNegotiationFailed && !(refusal && refusal.status >= 500))
    return `${server.name} at ${server.url}: ${error.message}`;
  if (refusal) return `${server.name} at ${server.url} answered ${refusal.status}${said}`;
  return error instanceof Error ? error.message : String(error);
}
