/** Entry point: config, the project database (created and seeded on first start), listen on PORT (8002). */
import { createLogger, loadDotenv, runMain, runServer } from '@mcp-auth/mcp-fastify';
import { openProjectData } from '@mcp-auth/tools';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

runMain('project-server', async () => {
  loadDotenv();
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, base: { server: 'project-server' } });
  const database = await openProjectData(config.database);
  const app = await buildApp(config, { database, logger });
  app.readiness.add('database', () => database.ready());
  app.addHook('onClose', async () => database.close());
  const url = await runServer(app, config.server);
  logger.info({ url, db: database.location, issuer: config.issuer }, 'project-server listening');
});
