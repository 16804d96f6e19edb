/**
 * The provider signs with the key it was built with, so when the key ring rotates (`pnpm keys:rotate`,
 * picked up within a second) a new provider is built around the new key. Everything it keeps lives in
 * the database (provider-storage.ts), so sign-ins in progress and refresh tokens carry over.
 */
import type { KeyRing } from '@mcp-auth/auth';
import type Provider from 'oidc-provider';

export interface ProviderHolder {
  /** The provider signing with the ring's current key. */
  current(): Provider;
}

export function holdProvider(keys: Pick<KeyRing, 'current'>, build: () => Provider): ProviderHolder {
  let kid = keys.current().kid;
  let provider = build();
  return {
    current() {
      const now = keys.current().kid;
      if (now !== kid) {
        kid = now;
        provider = build();
      }
      return provider;
    },
  };
}
