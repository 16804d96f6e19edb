/**
 * The PostgreSQL form of the tools' SQLite table definitions, derived rather than written twice: the
 * tools' tables use few types, so the differences are few and mechanical, and one place says them.
 * - `INTEGER PRIMARY KEY AUTOINCREMENT` (the `seq` that orders rows and numbers ids): an identity
 *   column, whose values are never handed out again either;
 * - `INTEGER`: BIGINT, since SQLite's integers are 64-bit (sums of it are numeric on PostgreSQL, so
 *   the tools cast their sums back);
 * - `REAL`: DOUBLE PRECISION;
 * - `COLLATE NOCASE` is SQLite's; a case-insensitive unique column adds a unique index on lower() in
 *   `postgresAfter`, and the tools compare such a column through lower() on both;
 * - `STRICT` is SQLite's (PostgreSQL's columns are typed anyway).
 */
import type { MigrationStep } from '@mcp-auth/database';

export function bothDialects(sqlite: string, postgresAfter = ''): MigrationStep {
  const postgres = sqlite
    .replace(/\bINTEGER PRIMARY KEY AUTOINCREMENT\b/g, 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY')
    .replace(/\bINTEGER\b/g, 'BIGINT')
    .replace(/\bREAL\b/g, 'DOUBLE PRECISION')
    .replace(/\s+COLLATE NOCASE\b/g, '')
    .replace(/\)\s*STRICT\s*$/, ')');
  return { sqlite, postgres: postgresAfter ? `${postgres};\n${postgresAfter}` : postgres };
}
