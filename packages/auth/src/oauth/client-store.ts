/**
 * Registered OAuth clients (client credentials grant). A client has an id, a secret stored only as a
 * hash, the scopes it may request, and the identity its tokens carry (subject, display name, role).
 * Rotation keeps the previous secret's hash valid until a stated time.
 */
export interface OAuthClientRecord {
  readonly clientId: string;
  readonly name: string;
  readonly secretHash: Buffer;
  readonly previousSecretHash: Buffer | null;
  readonly previousSecretExpiresAt: Date | null;
  /** Scopes this client may request; a request without `scope` gets all of them. */
  readonly scopes: readonly string[];
  /** `sub` of its tokens; defaults to the client id. */
  readonly subject: string;
  /** `job_role` of its tokens (method 3); null when the method has no roles. */
  readonly role: string | null;
  /** Further claims its tokens carry, e.g. the article's `id` (an employee number). */
  readonly claims: Readonly<Record<string, string>>;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

import type { SyncChangeTracking } from '../record-cache.js';

/** `localWrites` and `externalVersion()` let the authenticator cache records safely (record-cache.ts). */
export interface OAuthClientStore extends SyncChangeTracking {
  insert(record: OAuthClientRecord): void;
  findById(clientId: string): OAuthClientRecord | undefined;
  list(): OAuthClientRecord[];
  count(): number;
  replaceSecret(clientId: string, secretHash: Buffer, previous: { hash: Buffer; expiresAt: Date } | null): boolean;
  revoke(clientId: string, at: Date): boolean;
  /** Records the client's last use. Best effort, like ApiKeyStore.touch: never throws. */
  touch(clientId: string, at: Date): void;
}
