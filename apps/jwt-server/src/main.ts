/** Entry point: load and validate config, open the database, load the signing secret, listen (8100). */
import { type ClientTables, openClientStore, openRevocationList, type RevocationTables } from '@mcp-auth/auth';
import { openStore } from '@mcp-auth/database';
import { announceDemoCredentials, createLogger, loadDotenv, runMain, runServer } from '@mcp-auth/mcp-fastify';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { demoClientBanner, demoClientFile, ensureDemoClient } from './demo-client.js';
import { loadSigningSecret } from './signing-secret.js';

async function main(): Promise<void> {
  loadDotenv();
  const config = loadConfig();
  // The database first: a DATA_DIR it cannot use is named precisely there, before the dev secret is
  // written into the same folder.
  const database = openStore<ClientTables & RevocationTables>(config.database);
  const { secret, generated } = loadSigningSecret(config);
  const logger = createLogger({ level: config.server.logLevel, base: { server: 'jwt-server' } });
  const clients = await openClientStore(database, { log: logger });
  const revocations = await openRevocationList(database, { log: logger });
  const demoFile = demoClientFile(config.server.dataDir);
  const demo = await ensureDemoClient(clients, config.server.production, demoFile);
  const app = await buildApp(config, { clients, revocations, secret, logger });
  app.readiness.add('database', () => database.ready());
  app.addHook('onClose', async () => database.close());
  const url = await runServer(app, config.server);
  logger.info({ url, issuer: config.issuer, db: database.location }, 'jwt-server listening');
  if (generated) logger.info({ file: config.secretSource.devFile }, 'generated a dev signing secret (set JWT_SECRET in production)');
  if (demo) announceDemoCredentials(logger, 'demo client test_client', demo.origin, demoFile, demoClientBanner(demo.secret, config.issuer));
}

runMain('jwt-server', main);
