/**
 * Revoked token ids (RFC 7009), kept until the token would have expired anyway. Checked on every
 * request from memory; persisted so a restart does not un-revoke anything. A revocation is written
 * through writeTransaction (it must last); deleting expired rows is best effort (a timer does it, and
 * the next run catches up), so a busy or full database never takes the server down.
 */
import { type BestEffortLog, bestEffortWriter, migrate, openDatabase, type SqliteDatabase, writeTransaction } from '@mcp-auth/sqlite';

export interface RevocationList {
  revoke(jti: string, expiresAt: number): void;
  isRevoked(jti: string): boolean;
  /** Forgets entries whose tokens have expired; returns how many. */
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
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  bestEffort(() => prune.run(nowSeconds()));
  for (const row of db.prepare('SELECT jti, expires_at FROM revoked_tokens').all() as Array<{ jti: string; expires_at: number }>) {
    revoked.set(row.jti, row.expires_at);
  }
  return {
    revoke(jti, expiresAt) {
      writeTransaction(db, () => insert.run(jti, expiresAt));
      revoked.set(jti, expiresAt);
    },
    isRevoked: (jti) => revoked.has(jti),
    prune(now = nowSeconds()) {
      let removed = 0;
      for (const [jti, exp] of revoked) {
        if (exp <= now) {
          revoked.delete(jti);
          removed++;
        }
      }
      bestEffort(() => prune.run(now));
      return removed;
    },
    get size() {
      return revoked.size;
    },
  };
}
