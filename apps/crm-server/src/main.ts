/** Entry point: config, the crm database (created and seeded on first start), listen on PORT (8003). */
import { createLogger, loadDotenv, runMain, runServer } from '@mcp-auth/mcp-fastify';
import { openCrmData } from '@mcp-auth/tools';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

runMain('crm-server', async () => {
  loadDotenv();
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, base: { server: 'crm-server' } });
  const database = await openCrmData(config.database);
  const app = await buildApp(config, { database, logger });
  app.readiness.add('database', () => database.ready());
  app.addHook('onClose', async () => database.close());
  const url = await runServer(app, config.server);
  logger.info({ url, db: database.location, issuer: config.issuer }, 'crm-server listening');
});
