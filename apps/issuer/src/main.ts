/** Entry point: config, signing keys, client database, listen on PORT (8000). */
import { createDatabaseProbe, openDatabase, openSqliteClientStore, openSqliteRevocationList } from '@mcp-auth/auth';
import { announceDemoCredentials, createLogger, loadDotenv, runMain, runServer } from '@mcp-auth/mcp-fastify';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { demoIdentitiesBanner, ensureDemoIdentities } from './demo-identities.js';
import { openKeyRing } from './signing-keys.js';

async function main(): Promise<void> {
  loadDotenv();
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, base: { server: 'issuer' } });
  const { keys, generatedKid } = openKeyRing(config.keyDir, config.server.production, logger);
  const db = openDatabase(config.dbPath);
  const clients = openSqliteClientStore(db, { log: logger });
  const revocations = openSqliteRevocationList(db, { log: logger });
  const demo = ensureDemoIdentities(clients, config.server.production, config.demoCredentialsFile, config.publicUrl);
  const app = await buildApp(config, { clients, keys, revocations, logger });
  app.readiness.add('database', createDatabaseProbe(config.dbPath));
  app.addHook('onClose', async () => db.close());
  const url = await runServer(app, config.server);
  logger.info({ url, issuer: config.issuer, kid: keys.current().kid, keyDir: config.keyDir }, 'issuer listening');
  if (generatedKid) logger.info({ kid: generatedKid, keyDir: config.keyDir }, 'generated a dev RSA key pair');
  if (demo) {
    const banner = demoIdentitiesBanner(demo.identities, config.publicUrl);
    announceDemoCredentials(logger, 'demo identities', demo.origin, config.demoCredentialsFile, banner);
  }
}

runMain('issuer', main);
