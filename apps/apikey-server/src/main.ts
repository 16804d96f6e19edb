/** Entry point: load and validate config, open the key store, listen on PORT (8100). */
import { announceDemoCredentials, createLogger, loadDotenv, runMain, runServer } from '@mcp-auth/mcp-fastify';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { demoKeyBanner, demoKeyFile, ensureDemoKey } from './demo-key.js';
import { openKeyStore } from './key-store.js';

async function main(): Promise<void> {
  loadDotenv();
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, base: { server: 'apikey-server' } });
  const { store, database } = await openKeyStore(config, logger);
  const demoFile = demoKeyFile(config.server.dataDir);
  const demo = await ensureDemoKey(store, {
    production: config.server.production,
    file: demoFile,
    sharedDatabase: config.database.kind === 'postgres',
  });
  if (config.server.production && (await store.count()) === 0) {
    logger.warn('no API keys exist yet: every request will be refused. Create one: pnpm --filter apikey-server keys create --name <name>');
  }
  const app = await buildApp(config, { store, logger });
  app.readiness.add('database', () => database.ready());
  app.addHook('onClose', async () => store.close());
  const url = await runServer(app, config.server);
  logger.info({ url, keys: database.location }, 'apikey-server listening');
  if (demo && 'elsewhere' in demo)
    logger.info(
      'the demo API key was created by another server on this database and is saved in its DATA_DIR (demo-credentials.json); or create one: pnpm --filter apikey-server keys create --name <name>',
    );
  else if (demo) announceDemoCredentials(logger, 'demo API key', demo.origin, demoFile, demoKeyBanner(demo.key, url));
}

runMain('apikey-server', main);
