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

/** What a rotation writes, decided by its caller from the key as it is inside the rotation's transaction. */
export interface RotationPlan {
  readonly next: ApiKeyRecord;
  /** The old key's new expiry, or null to leave it as it is. */
  readonly oldExpiresAt: Date | null;
}

export interface ApiKeyStore {
  insert(record: ApiKeyRecord): Promise<void>;
  /**
   * Inserts the record only if the store holds no key at all; false (nothing written) when it holds
   * some. Atomic across processes: of replicas that start together on an empty database, one inserts.
   */
  insertIfEmpty(record: ApiKeyRecord): Promise<boolean>;
  /**
   * One rotation of key `id`, in one write transaction that no other rotation of that key runs beside:
   * `plan` is given the key as it is then (undefined when there is none) and the id of a key already
   * rotated from it, if any; what it returns is written, the new key and the old key's expiry
   * together. A `plan` that throws refuses the rotation, and nothing is written.
   */
  rotate<P extends RotationPlan>(id: string, plan: (old: ApiKeyRecord | undefined, successor: string | undefined) => P): Promise<P>;
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  count(): Promise<number>;
  /** Marks the key revoked at `at` (an earlier revocation stands); false when there is no such key. */
  revoke(id: string, at: Date): Promise<boolean>;
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
