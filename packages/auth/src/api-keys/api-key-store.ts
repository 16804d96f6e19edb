/**
 * Where API key records live. One small interface so the SQLite file used on one machine can be
 * swapped for a shared database when servers scale out, without touching the verifier.
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
  insert(record: ApiKeyRecord): void;
  findById(id: string): ApiKeyRecord | undefined;
  list(): ApiKeyRecord[];
  count(): number;
  /** Marks the key revoked at `at`; false when there is no such key. */
  revoke(id: string, at: Date): boolean;
  /** Sets or shortens the expiry; false when there is no such key. */
  setExpiry(id: string, expiresAt: Date): boolean;
  /**
   * Records when the key was last used. Best effort: it is called during authentication and never
   * throws (a failure is the store's to log); callers throttle it.
   */
  touch(id: string, at: Date): void;
  /**
   * Lets a verifier cache records safely. `localWrites` counts inserts, revocations and expiry changes
   * made through this store object (cheap to read on every request); `externalVersion()` changes when
   * another process (the keys command, another replica) has written (a database read, so read rarely).
   */
  readonly localWrites: number;
  externalVersion(): number;
  close(): void;
}
