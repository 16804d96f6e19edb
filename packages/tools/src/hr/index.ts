import { migrate, openDatabase, type SqliteDatabase } from '@mcp-auth/sqlite';
import { HR_MIGRATIONS } from './hr-schema.js';
import { seedHr } from './hr-seed.js';

export { createHrTools } from './hr-tools.js';

/** Opens (creating, migrating and seeding once) the HR database. */
export function openHrDatabase(path: string): SqliteDatabase {
  const db = openDatabase(path);
  migrate(db, 'hr', HR_MIGRATIONS);
  seedHr(db);
  return db;
}
