/**
 * Revoked token ids (RFC 7009), kept until the token could no longer verify anyway (its `exp` plus
 * the largest clock tolerance). Checked on every request from memory; persisted so a restart does not
 * un-revoke anything. A revocation is written through writeTransaction (it must last); deleting
 * expired rows is best effort (a timer does it, and the next run catches up), so a busy or full
 * database never takes the server down.
 *
 * Several processes may share one database (two jwt-servers on one DATA_DIR, an admin command beside
 * a server): each row carries an ever-increasing `seq`, and the list reads the rows after the last
 * one it has seen whenever SQLite's data_version says another connection committed, at most every
 * `recheckMs`. So a token revoked through one process is refused by every other within that bound
 * (RECORD_RECHECK_MS, 100 ms, as for revoked keys and clients), and by the revoking one at once.
 */
import { type BestEffortLog, bestEffortWriter, migrate, openDatabase, type SqliteDatabase, writeTransaction } from '@mcp-auth/sqlite';
import { externalChangeCheck } from '../record-cache.js';
import { REVOCATION_GRACE_SECONDS, type TokenRevocations } from './token-revocations.js';

export interface RevokedToken {
  readonly jti: string;
  /** The token's `exp`, seconds since the epoch. */
  readonly exp: number;
}

export interface RevocationList extends TokenRevocations {
  revoke(jti: string, expiresAt: number): void;
  /** Entries still kept, for an issuer's revocation feed. */
  entries(): RevokedToken[];
  /** Forgets entries whose tokens can no longer verify; returns how many. */
  prune(nowSeconds?: number): number;
  readonly size: number;
}

export interface RevocationListOptions {
  log?: BestEffortLog;
  /** How often at most to look for revocations written by other processes (default 100 ms). */
  recheckMs?: number;
  now?: () => number;
}

const MIGRATIONS: readonly string[] = [
  'CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) STRICT',
  // AUTOINCREMENT, not the rowid: pruning may delete the newest row, and SQLite would hand its rowid
  // out again, so a reader that had already seen it would miss the new revocation.
  `CREATE TABLE revoked_tokens_by_seq (seq INTEGER PRIMARY KEY AUTOINCREMENT, jti TEXT NOT NULL UNIQUE, expires_at INTEGER NOT NULL) STRICT;
   INSERT INTO revoked_tokens_by_seq (jti, expires_at) SELECT jti, expires_at FROM revoked_tokens ORDER BY rowid;
   DROP TABLE revoked_tokens;
   ALTER TABLE revoked_tokens_by_seq RENAME TO revoked_tokens`,
];

export function openSqliteRevocationList(pathOrDb: string | SqliteDatabase, options: RevocationListOptions = {}): RevocationList {
  const db = typeof pathOrDb === 'string' ? openDatabase(pathOrDb) : pathOrDb;
  const now = options.now ?? Date.now;
  const bestEffort = bestEffortWriter(db, { what: 'expired revoked_tokens cleanup', log: options.log });
  migrate(db, 'revoked_tokens', MIGRATIONS);
  const insert = db.prepare('INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)');
  const prune = db.prepare('DELETE FROM revoked_tokens WHERE expires_at <= ?');
  const since = db.prepare('SELECT seq, jti, expires_at FROM revoked_tokens WHERE seq > ? ORDER BY seq');
  // SQLite's data_version changes when another connection commits to the file (not for our own writes).
  const dataVersion = db.prepare('PRAGMA data_version');
  const readVersion = () => (dataVersion.get() as { data_version: number }).data_version;
  const revoked = new Map<string, number>();
  const horizon = (nowSeconds = Math.floor(now() / 1000)) => nowSeconds - REVOCATION_GRACE_SECONDS;

  let lastSeq = 0;
  const externallyChanged = externalChangeCheck(readVersion, { recheckMs: options.recheckMs, now });
  /** Reads every row written since the last one seen, by any process. */
  function readNewRows(): void {
    for (const row of since.all(lastSeq) as Array<{ seq: number; jti: string; expires_at: number }>) {
      revoked.set(row.jti, row.expires_at);
      lastSeq = row.seq;
    }
  }
  function catchUp(): void {
    if (externallyChanged()) readNewRows();
  }

  bestEffort(() => prune.run(horizon()));
  readNewRows();
  return {
    revoke(jti, expiresAt) {
      writeTransaction(db, () => insert.run(jti, expiresAt));
      revoked.set(jti, expiresAt);
    },
    isRevoked(token) {
      if (token.jti === undefined) return false;
      catchUp();
      return revoked.has(token.jti);
    },
    entries() {
      catchUp();
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
      bestEffort(() => prune.run(before));
      return removed;
    },
    get size() {
      return revoked.size;
    },
  };
}
