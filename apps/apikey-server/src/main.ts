/** Entry point: load and validate config, open the key store, listen on PORT (8100). */
import { createDatabaseProbe, openSqliteApiKeyStore } from '@mcp-auth/auth';
import { announceDemoCredentials, createLogger, loadDotenv, runMain, runServer } from '@mcp-auth/mcp-fastify';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { demoKeyBanner, demoKeyFile, ensureDemoKey } from './demo-key.js';

async function main(): Promise<void> {
  loadDotenv();
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, base: { server: 'apikey-server' } });
  const store = openSqliteApiKeyStore(config.keysDbPath, { log: logger });
  const demoFile = demoKeyFile(config.server.dataDir);
  const demo = ensureDemoKey(store, config.server.production, demoFile);
  if (config.server.production && store.count() === 0) {
    logger.warn('no API keys exist yet: every request will be refused. Create one: pnpm --filter apikey-server keys create --name <name>');
  }
  const app = await buildApp(config, { store, logger });
  app.readiness.add('database', createDatabaseProbe(config.keysDbPath));
  app.addHook('onClose', async () => store.close());
  const url = await runServer(app, config.server);
  logger.info({ url, keysDb: config.keysDbPath }, 'apikey-server listening');
  if (demo) announceDemoCredentials(logger, 'demo API key', demo.origin, demoFile, demoKeyBanner(demo.key, url));
}

runMain('apikey-server', main);
