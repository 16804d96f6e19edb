/**
 * Where API key records live: the embedded SQLite file or a shared PostgreSQL (DATABASE_URL), behind
 * one interface, so the verifier and the keys command do not know which (database-api-key-store.ts).
 */
export interface ApiKeyRecord {
  /** Public id, the `<id>` part of `mcpk_<id>_<secret>`. */
  readonly id: string;
  /** Operator's label, e.g. "ci-bot"; several keys may share one (rotation keeps it). */
  readonly name: string;
  /** SHA-256 of id and secret (see key-format.ts). The secret itself is never stored. */
  readonly secretHash: Buffer;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  /** Id of the key this one replaced, when it was created by a rotation. */
  readonly rotatedFrom: string | null;
}

export interface ApiKeyStore {
  insert(record: ApiKeyRecord): Promise<void>;
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  count(): Promise<number>;
  /** Marks the key revoked at `at` (an earlier revocation stands); false when there is no such key. */
  revoke(id: string, at: Date): Promise<boolean>;
  /** Sets or shortens the expiry; false when there is no such key. */
  setExpiry(id: string, expiresAt: Date): Promise<boolean>;
  /**
   * Records when the key was last used. Best effort: it is called during authentication, returns at
   * once and never throws (a failure is the store's to log); callers throttle it.
   */
  touch(id: string, at: Date): void;
  /**
   * Lets a verifier cache records safely. `localWrites` counts inserts, revocations and expiry changes
   * made through this store object (cheap to read on every request); `externalVersion()` changes when
   * any process (the keys command, another replica) has written (a database read, so read rarely).
   */
  readonly localWrites: number;
  externalVersion(): Promise<number>;
  /** Closes the database the store was opened on. */
  close(): Promise<void>;
}
