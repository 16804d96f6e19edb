/** Entry point of `pnpm --filter jwt-server clients ...`: OAuth clients in $DATA_DIR/jwt-server.db, or the DATABASE_URL PostgreSQL. */
import { ClientAdminError } from '@mcp-auth/auth';
import { clientsUsage, runClientsCommand, runCommandLine } from '@mcp-auth/mcp-fastify';
import { loadConfig, MCP_SCOPE } from './config.js';

const settings = {
  app: 'jwt-server',
  defaultScopes: [MCP_SCOPE],
  identity: false,
  note: 'Clients live in $DATA_DIR/jwt-server.db (or the PostgreSQL DATABASE_URL names). POST /revoke revokes a single token.',
  revokeEffect: 'in force at this server now: /token answers invalid_client and every token the client holds gets 401 "Token revoked".',
};

await runCommandLine({
  name: 'clients',
  usage: clientsUsage(settings),
  run: (argv, out) => runClientsCommand({ ...settings, database: loadConfig().database }, argv, out),
  userErrors: [ClientAdminError],
});
