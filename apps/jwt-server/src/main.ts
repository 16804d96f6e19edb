/** Entry point: load and validate config and the signing secret, open the database, listen (8100). */
import { createDatabaseProbe, openDatabase, openSqliteClientStore, openSqliteRevocationList } from '@mcp-auth/auth';
import { createLogger, loadDotenv, runMain, runServer } from '@mcp-auth/mcp-fastify';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { demoClientBanner, ensureDemoClient } from './demo-client.js';
import { loadSigningSecret } from './signing-secret.js';

async function main(): Promise<void> {
  loadDotenv();
  const config = loadConfig();
  const { secret, generated } = loadSigningSecret(config);
  const logger = createLogger({ level: config.server.logLevel, base: { server: 'jwt-server' } });
  const db = openDatabase(config.dbPath);
  const clients = openSqliteClientStore(db);
  const revocations = openSqliteRevocationList(db);
  const demoSecret = ensureDemoClient(clients, config.server.production);
  const app = await buildApp(config, { clients, revocations, secret, logger });
  app.readiness.add('database', createDatabaseProbe(config.dbPath));
  app.addHook('onClose', async () => db.close());
  const url = await runServer(app, config.server);
  logger.info({ url, issuer: config.issuer, db: config.dbPath }, 'jwt-server listening');
  if (generated) logger.info({ file: config.secretSource.devFile }, 'generated a dev signing secret (set JWT_SECRET in production)');
  if (demoSecret) process.stdout.write(`${demoClientBanner(demoSecret, config.issuer)}\n`);
}

runMain('jwt-server', main);
