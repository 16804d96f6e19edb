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

import type { ChangeTracking } from '../record-cache.js';

/**
 * Where OAuth client records live: the embedded SQLite file or a shared PostgreSQL, one set of
 * queries for both (database-client-store.ts). `localWrites` and `externalVersion()` let the
 * authenticator cache records safely (record-cache.ts).
 */
export interface OAuthClientStore extends ChangeTracking {
  /** Adds the client; false (nothing written) when a client with its id exists. */
  insert(record: OAuthClientRecord): Promise<boolean>;
  findById(clientId: string): Promise<OAuthClientRecord | undefined>;
  list(): Promise<OAuthClientRecord[]>;
  count(): Promise<number>;
  replaceSecret(clientId: string, secretHash: Buffer, previous: { hash: Buffer; expiresAt: Date } | null): Promise<boolean>;
  revoke(clientId: string, at: Date): Promise<boolean>;
  /** Records the client's last use. Best effort, like ApiKeyStore.touch: returns at once, never throws. */
  touch(clientId: string, at: Date): void;
  externalVersion(): Promise<number>;
}
