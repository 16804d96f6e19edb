/** Entry point of `pnpm --filter issuer clients ...`: identities in $DATA_DIR/issuer.db, or the DATABASE_URL PostgreSQL. */
import { ClientAdminError } from '@mcp-auth/auth';
import { announceRevocationOnce, clientsUsage, createLogger, runClientsCommand, runCommandLine } from '@mcp-auth/mcp-fastify';
import { loadConfig } from './config.js';

const settings = {
  app: 'issuer',
  defaultScopes: ['mcp'],
  identity: true,
  note: 'Identities live in $DATA_DIR/issuer.db (or the PostgreSQL DATABASE_URL names); --role sets the job_role claim that RBAC reads, --name the name claim.',
  revokeEffect: 'in force at the issuer now (/token answers invalid_client; GET /revocations lists the client).',
};

const BY_POLL =
  'Resource servers refuse its tokens with 401 "Token revoked" from their next poll of /revocations, within ' +
  'REVOCATION_POLL_SECONDS (default 5 s) while they reach the issuer.';

await runCommandLine({
  name: 'clients',
  usage: clientsUsage(settings),
  run: (argv, out) => {
    const config = loadConfig();
    const { redisUrl } = config.server;
    const announceRevocation = async () => {
      if (!redisUrl) return BY_POLL;
      // Warnings to stderr, as JSON lines like the servers' own.
      const log = createLogger({ level: 'warn', base: { command: 'clients' }, destination: process.stderr });
      return (await announceRevocationOnce(redisUrl, config.issuer, log))
        ? 'Resource servers subscribed on REDIS_URL were told at once, and fetch /revocations now; ' +
            'any other refuses its tokens from its next poll, within REVOCATION_POLL_SECONDS (default 5 s).'
        : `Redis could not be told (see the warning). ${BY_POLL}`;
    };
    return runClientsCommand({ ...settings, database: config.database, announceRevocation }, argv, out);
  },
  userErrors: [ClientAdminError],
});
