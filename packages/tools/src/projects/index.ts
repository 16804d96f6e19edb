import { type Database, type DatabaseSettings, migrate, openStore } from '@mcp-auth/database';
import { PROJECT_MIGRATIONS } from './project-schema.js';
import { seedProjects } from './project-seed.js';

export { createProjectTools } from './project-tools.js';

/** Migrates (once, however many replicas start together) and seeds (once) the project data in `database`. */
export async function prepareProjectData(database: Database<unknown>): Promise<void> {
  await migrate(database, 'projects', PROJECT_MIGRATIONS);
  await seedProjects(database);
}

/** Opens the project data where `settings` say (DATA_DIR's file, or DATABASE_URL), migrated and seeded. */
export async function openProjectData(settings: DatabaseSettings): Promise<Database<unknown>> {
  // Throws with a sentence when the file cannot be used, or PostgreSQL cannot be reached.
  const database = openStore<unknown>(settings);
  try {
    await prepareProjectData(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
