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
  const sharedDatabase = config.database.kind === 'postgres';
  const demo = await ensureDemoClient(clients, { production: config.server.production, file: demoFile, sharedDatabase });
  const app = await buildApp(config, { clients, revocations, secret, logger });
  app.readiness.add('database', () => database.ready());
  app.addHook('onClose', async () => database.close());
  const url = await runServer(app, config.server);
  logger.info({ url, issuer: config.issuer, db: database.location }, 'jwt-server listening');
  if (generated) logger.info({ file: config.secretSource.devFile }, 'generated a dev signing secret (set JWT_SECRET in production)');
  if (sharedDatabase && !config.secretSource.value && !config.secretSource.file)
    logger.warn(
      { file: config.secretSource.devFile },
      'DATABASE_URL is set but JWT_SECRET is not: this server signs with the dev secret of its own DATA_DIR, so tokens another replica issued do not verify here. Give every replica the same JWT_SECRET (or JWT_SECRET_FILE)',
    );
  if (demo && 'elsewhere' in demo)
    logger.info(
      "test_client was created by another server on this database and its secret is saved in that server's DATA_DIR (demo-credentials.json); or create a client: pnpm --filter jwt-server clients create <id>",
    );
  else if (demo)
    announceDemoCredentials(logger, 'demo client test_client', demo.origin, demoFile, demoClientBanner(demo.secret, config.issuer));
}

runMain('jwt-server', main);
