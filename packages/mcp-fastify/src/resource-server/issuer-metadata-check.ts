/**
 * Readiness of a resource server that finds an outside issuer's JWKS by discovery (ISSUER_DISCOVERY):
 * not ready until the issuer's metadata is found and names ISSUER exactly, with the cause otherwise.
 * Reads the discovery's state only: /ready never waits on the identity provider.
 */
import { type IssuerDiscovery, IssuerMetadataError } from '@mcp-auth/auth';
import type { CheckResult } from '../http/readiness.js';
import { describeFetchError } from './issuer-keys-check.js';

export function issuerMetadataCheck(discovery: Pick<IssuerDiscovery, 'status'>, issuer: string): () => CheckResult {
  return () => {
    const { jwksUri, metadataUrl, lastError } = discovery.status();
    if (jwksUri !== undefined) return { ok: true, metadataUrl, jwksUri };
    if (lastError instanceof IssuerMetadataError) return { ok: false, reason: `refused: ${lastError.message}` };
    return {
      ok: false,
      reason:
        lastError === undefined
          ? `the metadata of ${issuer} has not been fetched yet`
          : `the metadata of ${issuer} cannot be fetched (${describeFetchError(lastError)}): check ISSUER and that the identity provider is reachable`,
    };
  };
}
