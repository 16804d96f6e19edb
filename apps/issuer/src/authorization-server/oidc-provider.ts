/**
 * oidc-provider, loaded once for the issuer. On Node 20 (past its end of life; this project still runs
 * on it, its Docker images use a supported LTS) oidc-provider 9 prints an "Unsupported runtime"
 * warning to stderr when it is imported, outside the issuer's logs. That one line is held back here and
 * reported by the issuer as a structured log line at startup (`unsupportedRuntime`); any other warning
 * passes through untouched. Import the library's values from here; its types from 'oidc-provider'.
 */
const UNSUPPORTED = 'oidc-provider WARNING: Unsupported runtime';
let held: string | undefined;
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes(UNSUPPORTED)) held = args[0];
  else warn(...args);
};
const library = await import('oidc-provider');
console.warn = warn;

export const { default: Provider, errors, interactionPolicy } = library;
export type Provider = import('oidc-provider').default;

/** Whether oidc-provider said at import that it does not support this Node version. */
export const unsupportedRuntime: boolean = held !== undefined;
