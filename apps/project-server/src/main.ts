/** Entry point: config, the project database (created and seeded on first start), listen on PORT (8002). */
import { createDatabaseProbe } from '@mcp-auth/auth';
import { createLogger, loadDotenv, runMain, runServer } from '@mcp-auth/mcp-fastify';
import { openProjectDatabase } from '@mcp-auth/tools';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

runMain('project-server', async () => {
  loadDotenv();
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, base: { server: 'project-server' } });
  const db = openProjectDatabase(config.dbPath);
  const app = await buildApp(config, { db, logger });
  app.readiness.add('database', createDatabaseProbe(config.dbPath));
  app.addHook('onClose', async () => db.close());
  const url = await runServer(app, config.server);
  logger.info({ url, db: config.dbPath, issuer: config.issuer }, 'project-server listening');
});
