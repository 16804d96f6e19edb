/**
 * Revoked token ids (RFC 7009), kept until the token could no longer verify anyway (its `exp` plus
 * the largest clock tolerance). Checked on every request from memory; persisted so a restart does not
 * un-revoke anything. A revocation is written through writeTransaction (it must last); deleting
 * expired rows is best effort (a timer does it, and the next run catches up), so a busy or full
 * database never takes the server down.
 */
import { type BestEffortLog, bestEffortWriter, migrate, openDatabase, type SqliteDatabase, writeTransaction } from '@mcp-auth/sqlite';
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

export function openSqliteRevocationList(pathOrDb: string | SqliteDatabase, options: { log?: BestEffortLog } = {}): RevocationList {
  const db = typeof pathOrDb === 'string' ? openDatabase(pathOrDb) : pathOrDb;
  const bestEffort = bestEffortWriter(db, { what: 'expired revoked_tokens cleanup', log: options.log });
  migrate(db, 'revoked_tokens', ['CREATE TABLE revoked_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) STRICT']);
  const insert = db.prepare('INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?, ?)');
  const prune = db.prepare('DELETE FROM revoked_tokens WHERE expires_at <= ?');
  const revoked = new Map<string, number>();
  const horizon = (nowSeconds = Math.floor(Date.now() / 1000)) => nowSeconds - REVOCATION_GRACE_SECONDS;
  bestEffort(() => prune.run(horizon()));
  for (const row of db.prepare('SELECT jti, expires_at FROM revoked_tokens').all() as Array<{ jti: string; expires_at: number }>) {
    revoked.set(row.jti, row.expires_at);
  }
  return {
    revoke(jti, expiresAt) {
      writeTransaction(db, () => insert.run(jti, expiresAt));
      revoked.set(jti, expiresAt);
    },
    isRevoked: (token) => token.jti !== undefined && revoked.has(token.jti),
    entries: () => [...revoked].map(([jti, exp]) => ({ jti, exp })),
    prune(now) {
      const before = horizon(now);
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
