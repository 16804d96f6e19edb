/** Entry point: config, the hr database (created and seeded on first start), listen on PORT (8001). */
import { createDatabaseProbe } from '@mcp-auth/auth';
import { createLogger, loadDotenv, runMain, runServer } from '@mcp-auth/mcp-fastify';
import { openHrDatabase } from '@mcp-auth/tools';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';

runMain('hr-server', async () => {
  loadDotenv();
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, base: { server: 'hr-server' } });
  const db = openHrDatabase(config.dbPath);
  const app = await buildApp(config, { db, logger });
  app.readiness.add('database', createDatabaseProbe(config.dbPath));
  app.addHook('onClose', async () => db.close());
  const url = await runServer(app, config.server);
  logger.info({ url, db: config.dbPath, issuer: config.issuer }, 'hr-server listening');
});
