/** Entry point of `pnpm --filter issuer clients ...`: identities in $DATA_DIR/issuer.db, or the DATABASE_URL PostgreSQL. */
import { ClientAdminError } from '@mcp-auth/auth';
import { clientsUsage, runClientsCommand, runCommandLine } from '@mcp-auth/mcp-fastify';
import { loadConfig } from './config.js';

const settings = {
  app: 'issuer',
  defaultScopes: ['mcp'],
  identity: true,
  note: 'Identities live in $DATA_DIR/issuer.db (or the PostgreSQL DATABASE_URL names); --role sets the job_role claim that RBAC reads, --name the name claim.',
  revokeEffect:
    'in force at the issuer now (/token answers invalid_client; GET /revocations lists the client). Resource servers refuse ' +
    'its tokens with 401 "Token revoked" from their next poll of /revocations, within REVOCATION_POLL_SECONDS (default 5 s) ' +
    'while they reach the issuer.',
};

await runCommandLine({
  name: 'clients',
  usage: clientsUsage(settings),
  run: (argv, out) => runClientsCommand({ ...settings, database: loadConfig().database }, argv, out),
  userErrors: [ClientAdminError],
});
