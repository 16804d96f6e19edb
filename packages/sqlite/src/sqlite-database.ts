import type Database from 'libsql';

/** A connection (libsql: better-sqlite3's API with prebuilt binaries). */
export type SqliteDatabase = InstanceType<typeof Database>;
