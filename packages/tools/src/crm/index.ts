import { migrate, openDatabase, type SqliteDatabase } from '@mcp-auth/sqlite';
import { CRM_MIGRATIONS } from './crm-schema.js';
import { seedCrm } from './crm-seed.js';

export { createCrmTools } from './crm-tools.js';

/** Opens (creating, migrating and seeding once) the CRM database. */
export function openCrmDatabase(path: string): SqliteDatabase {
  const db = openDatabase(path);
  migrate(db, 'crm', CRM_MIGRATIONS);
  seedCrm(db);
  return db;
}
