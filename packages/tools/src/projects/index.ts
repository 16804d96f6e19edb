import { migrate, openDatabase, type SqliteDatabase } from '@mcp-auth/sqlite';
import { PROJECT_MIGRATIONS } from './project-schema.js';
import { seedProjects } from './project-seed.js';

export { createProjectTools } from './project-tools.js';

/** Opens (creating, migrating and seeding once) the project database. */
export function openProjectDatabase(path: string): SqliteDatabase {
  const db = openDatabase(path);
  migrate(db, 'projects', PROJECT_MIGRATIONS);
  seedProjects(db);
  return db;
}
