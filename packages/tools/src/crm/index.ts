import { type Database, type DatabaseSettings, migrate, openStore } from '@mcp-auth/database';
import { CRM_MIGRATIONS } from './crm-schema.js';
import { seedCrm } from './crm-seed.js';

export { createCrmTools } from './crm-tools.js';

/** Migrates (once, however many replicas start together) and seeds (once) the CRM data in `database`. */
export async function prepareCrmData(database: Database<unknown>): Promise<void> {
  await migrate(database, 'crm', CRM_MIGRATIONS);
  await seedCrm(database);
}

/** Opens the CRM data where `settings` say (DATA_DIR's file, or DATABASE_URL), migrated and seeded. */
export async function openCrmData(settings: DatabaseSettings): Promise<Database<unknown>> {
  // Throws with a sentence when the file cannot be used, or PostgreSQL cannot be reached.
  const database = openStore<unknown>(settings);
  try {
    await prepareCrmData(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
