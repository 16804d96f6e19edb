/**
 * Revoked token ids (RFC 7009), kept until the token could no longer verify anyway (its `exp` plus
 * the largest clock tolerance), on either dialect of @mcp-auth/database: the embedded SQLite file or
 * a shared PostgreSQL. Checked on every request from memory; persisted so a restart does not
 * un-revoke anything. A revocation is written through writeTransaction (it must last) and is in
 * memory once that has committed; deleting expired rows is best effort (a timer does it, and the next
 * run catches up), so a busy or full database never takes the server down.
 *
 * Several processes may share one database (replicas on one PostgreSQL, two jwt-servers on one
 * DATA_DIR, an admin command beside a server): each row carries an ever-increasing `seq`, and the
 * list reads the rows after the last one it has seen at most every `recheckMs` (RECORD_RECHECK_MS,
 * 100 ms, as for revoked keys and clients). A request that arrives once that interval is over waits
 * for the read, and fails closed when the database cannot answer (externalChangeCheck). So a token
 * revoked through one process is refused by every other within that bound, and by the revoking one
 * at once.
 *
 * Reading "after the last seq seen" is only right if rows become visible in seq order. SQLite has one
 * writer at a time. PostgreSQL hands out identity values when a row is inserted, not when it commits,
 * so two revocations at once could commit 6 before 5, and a reader that saw 6 would never read 5:
 * each revocation therefore takes exclusive() before its insert, and the next one's seq is handed
 * out only after the last has committed.
 */
import { type BestEffortLog, bestEffortWriter, type Database, exclusive, migrate, writeTransaction } from '@mcp-auth/database';
import type { Generated } from 'kysely';
import { externalChangeCheck } from '../record-cache.js';
import { REVOCATION_GRACE_SECONDS, type TokenRevocations } from './token-revocations.js';

export interface RevokedToken {
  readonly jti: string;
  /** The token's `exp`, seconds since the epoch. */
  readonly exp: number;
}

export interface RevocationList extends TokenRevocations {
  /** Resolves once the revocation is committed; from then on every request here refuses the token. */
  revoke(jti: string, expiresAt: number): Promise<void>;
  /** Entries still kept, for an issuer's revocation feed (including other processes' within recheckMs). */
  entries(): Promise<RevokedToken[]>;
  /** Forgets entries whose tokens can no longer verify; returns how many (the rows go best effort). */
  prune(nowSeconds?: number): number;
  readonly size: number;
}

export interface RevocationListOptions {
  log?: BestEffortLog;
  /** How often at most to look for revocations written by other processes (default 100 ms). */
  recheckMs?: number;
  /** Called once a revocation has committed: to announce it to other processes (the issuer's Redis nudge). */
  onRevoked?: () => void;
  now?: () => number;
}

/** The table queried here. */
export interface RevocationTables {
  revoked_tokens: { seq: Generated<number>; jti: string; expires_at: number };
}

// Steps 1 and 2 are the ones SQLite files made before PostgreSQL was supported. PostgreSQL makes the
// final table at step 1; its step 2 has nothing to do.
const MIGRATIONS = [
  {
    sqlite: 'CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) STRICT',
    postgres:
      'CREATE TABLE revoked_tokens (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, jti TEXT NOT NULL UNIQUE, expires_at BIGINT NOT NULL)',
  },
  {
    // AUTOINCREMENT, not the rowid: pruning may delete the newest row, and SQLite would hand its rowid
    // out again, so a reader that had already seen it would miss the new revocation.
    sqlite: `CREATE TABLE revoked_tokens_by_seq (seq INTEGER PRIMARY KEY AUTOINCREMENT, jti TEXT NOT NULL UNIQUE, expires_at INTEGER NOT NULL) STRICT;
             INSERT INTO revoked_tokens_by_seq (jti, expires_at) SELECT jti, expires_at FROM revoked_tokens ORDER BY rowid;
             DROP TABLE revoked_tokens;
             ALTER TABLE revoked_tokens_by_seq RENAME TO revoked_tokens`,
    postgres: 'SELECT 1',
  },
];

/**
 * Migrates `database` (once, however many processes start together), reads every revocation kept,
 * and returns the list. The database is the caller's to close: a server's other stores share it.
 */
export async function openRevocationList<DB extends RevocationTables>(
  shared: Database<DB>,
  options: RevocationListOptions = {},
): Promise<RevocationList> {
  // A server's stores share one Database, typed with all of its tables; this one queries only its own.
  const database = shared as unknown as Database<RevocationTables>;
  await migrate(database, 'revoked_tokens', MIGRATIONS);
  const { db } = database;
  const now = options.now ?? Date.now;
  const bestEffort = bestEffortWriter(database, { what: 'expired revoked_tokens cleanup', ...(options.log ? { log: options.log } : {}) });
  const revoked = new Map<string, number>();
  const horizon = (nowSeconds = Math.floor(now() / 1000)) => nowSeconds - REVOCATION_GRACE_SECONDS;

  let lastSeq = 0;
  /** Reads every row written since the last one seen, by any process; resolves to the last seq. */
  async function readNewRows(): Promise<number> {
    const rows = await db
      .selectFrom('revoked_tokens')
      .select(['seq', 'jti', 'expires_at'])
      .where('seq', '>', lastSeq)
      .orderBy('seq')
      .execute();
    for (const row of rows) {
      revoked.set(row.jti, row.expires_at);
      lastSeq = Math.max(lastSeq, row.seq);
    }
    return lastSeq;
  }

  // A new last seq is the change; the check's own answer (changed or not) does not matter here, only
  // that the look it waits for has read the rows. Its first look starts at once: waiting for it here
  // has every revocation kept in memory before the first request.
  const caughtUp = externalChangeCheck(readNewRows, { ...(options.recheckMs === undefined ? {} : { recheckMs: options.recheckMs }), now });
  await caughtUp();
  bestEffort((db) => db.deleteFrom('revoked_tokens').where('expires_at', '<=', horizon()));

  return {
    async revoke(jti, expiresAt) {
      await writeTransaction(database, async (trx) => {
        await exclusive(trx, 'revoked_tokens');
        await trx
          .insertInto('revoked_tokens')
          .values({ jti, expires_at: expiresAt })
          .onConflict((oc) => oc.column('jti').doNothing())
          .execute();
      });
      revoked.set(jti, expiresAt);
      options.onRevoked?.();
    },
    isRevoked(token) {
      const { jti } = token;
      if (jti === undefined) return false;
      const looked = caughtUp();
      return typeof looked === 'boolean' ? revoked.has(jti) : looked.then(() => revoked.has(jti));
    },
    async entries() {
      await caughtUp();
      return [...revoked].map(([jti, exp]) => ({ jti, exp }));
    },
    prune(nowSeconds) {
      const before = horizon(nowSeconds);
      let removed = 0;
      for (const [jti, exp] of revoked) {
        if (exp <= before) {
          revoked.delete(jti);
          removed++;
        }
      }
      bestEffort((db) => db.deleteFrom('revoked_tokens').where('expires_at', '<=', before));
      return removed;
    },
    get size() {
      return revoked.size;
    },
  };
}
