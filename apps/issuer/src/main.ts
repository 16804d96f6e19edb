/** Entry point: config, signing keys, client and people databases, listen on PORT (8000). */
import { openClientStore, openRevocationList } from '@mcp-auth/auth';
import { openStore } from '@mcp-auth/database';
import { announceDemoCredentials, createLogger, loadDotenv, revocationAnnouncer, runMain, runServer } from '@mcp-auth/mcp-fastify';
import { buildApp } from './app.js';
import { unsupportedRuntime } from './authorization-server/oidc-provider.js';
import { loadConfig } from './config.js';
import { demoIdentitiesBanner, ensureDemoIdentities } from './demo-identities.js';
import type { IssuerTables } from './issuer-tables.js';
import { ensureDemoPeople } from './people/demo-people.js';
import { demoPeopleBanner } from './people/demo-people-banner.js';
import { openSignInDeps } from './sign-in-deps.js';
import { openKeyRing } from './signing-keys.js';

const ELSEWHERE = (what: string, file: string) =>
  `the ${what} were made by another issuer on this database: their secrets are in its MCP_AUTH_DIR (${file}), which replicas share`;

async function main(): Promise<void> {
  loadDotenv();
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, base: { server: 'issuer' } });
  const { keys, generatedKid } = openKeyRing(config.keyDir, config.server.production, logger);
  const database = openStore<IssuerTables>(config.database);
  // With REDIS_URL, each committed revocation is announced to resource servers at once (revocation-nudges.ts).
  const announcer = revocationAnnouncer(config.issuer, logger);
  const clients = await openClientStore(database, { log: logger, onRevoked: announcer.announce });
  const revocations = await openRevocationList(database, { log: logger, onRevoked: announcer.announce });
  const signIn = await openSignInDeps(config, database, revocations);
  const sharedDatabase = config.database.kind === 'postgres';
  const { production } = config.server;
  const demo = await ensureDemoIdentities(clients, {
    production,
    file: config.demoCredentialsFile,
    issuerUrl: config.publicUrl,
    sharedDatabase,
  });
  const demoPeople = await ensureDemoPeople(signIn.people, { production, file: config.signIn.demoPasswordsFile, sharedDatabase });
  const app = await buildApp(config, {
    clients,
    keys,
    revocations,
    logger,
    signIn,
  });
  announcer.use(app.redis);
  app.readiness.add('database', () => database.ready());
  app.addHook('onClose', async () => database.close());
  const url = await runServer(app, config.server);
  logger.info({ url, issuer: config.issuer, kid: keys.current().kid, keyDir: config.keyDir }, 'issuer listening');
  if (generatedKid) logger.info({ kid: generatedKid, keyDir: config.keyDir }, 'generated a dev RSA key pair');
  if (unsupportedRuntime)
    logger.warn(
      { node: process.version },
      'this Node.js is past its end of life and oidc-provider (browser sign-in) supports Node 22 LTS and later: it runs, but move to a supported LTS (the Docker images do)',
    );
  if (signIn.cookieSecretGenerated) logger.info({ keyDir: config.keyDir }, 'generated a dev cookie secret for the sign-in pages');
  if (sharedDatabase && (generatedKid || signIn.cookieSecretGenerated))
    logger.warn(
      { keyDir: config.keyDir },
      'DATABASE_URL is set and this issuer generated its own dev keys: replicas must share MCP_AUTH_DIR (the signing keys and the cookie secret), or tokens and sign-ins from one replica fail at another',
    );
  if (demo && 'elsewhere' in demo) logger.info({ keyDir: config.keyDir }, ELSEWHERE('demo identities', 'demo-credentials.json'));
  else if (demo) {
    const banner = demoIdentitiesBanner(demo.identities, config.publicUrl);
    announceDemoCredentials(logger, 'demo identities', demo.origin, config.demoCredentialsFile, banner);
  }
  if (demoPeople && 'elsewhere' in demoPeople) logger.info({ keyDir: config.keyDir }, ELSEWHERE('demo people', 'demo-passwords.json'));
  else if (demoPeople) {
    const banner = demoPeopleBanner(demoPeople.people, config.resources[0] ?? 'http://127.0.0.1:8001/');
    announceDemoCredentials(logger, 'demo people', demoPeople.origin, config.signIn.demoPasswordsFile, banner);
  }
}

runMain('issuer', main);
