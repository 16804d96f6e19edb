import { type Database, type DatabaseSettings, migrate, openStore } from '@mcp-auth/database';
import { HR_MIGRATIONS } from './hr-schema.js';
import { seedHr } from './hr-seed.js';

export { createHrTools } from './hr-tools.js';

/** Migrates (once, however many replicas start together) and seeds (once) the HR data in `database`. */
export async function prepareHrData(database: Database<unknown>): Promise<void> {
  await migrate(database, 'hr', HR_MIGRATIONS);
  await seedHr(database);
}

/** Opens the HR data where `settings` say (DATA_DIR's file, or DATABASE_URL), migrated and seeded. */
export async function openHrData(settings: DatabaseSettings): Promise<Database<unknown>> {
  // Throws with a sentence when the file cannot be used, or PostgreSQL cannot be reached.
  const database = openStore<unknown>(settings);
  try {
    await prepareHrData(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
