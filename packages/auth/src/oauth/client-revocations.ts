/**
 * Client-level revocation where tokens are verified next to the client database (jwt-server): a
 * token of a client that `clients revoke` revoked is refused, whenever it was issued. A revoked
 * client can never be reinstated (its id stays taken), so every token it holds was issued before
 * the revocation or in the moment before the token endpoint saw it. Records are cached as the
 * token endpoint caches them (record-cache.ts): a revocation by the command in another process is
 * in force within RECORD_RECHECK_MS, and the command waits that long before it says so.
 */
import { createRecordCache } from '../record-cache.js';
import type { OAuthClientRecord, OAuthClientStore } from './client-store.js';
import type { TokenRevocations } from './token-revocations.js';

export function createClientRevocations(store: OAuthClientStore): TokenRevocations {
  const cache = createRecordCache(store, (id) => store.findById(id));
  const revoked = (record: OAuthClientRecord | undefined) => record?.revokedAt != null;
  return {
    isRevoked(token) {
      const record = cache.get(token.clientId);
      return record instanceof Promise ? record.then(revoked) : revoked(record);
    },
  };
}
