/** Entry point of `pnpm --filter jwt-server clients ...`: OAuth clients in $DATA_DIR/jwt-server.db. */
import { ClientAdminError } from '@mcp-auth/auth';
import { clientsUsage, runClientsCommand, runCommandLine } from '@mcp-auth/mcp-fastify';
import { loadConfig, MCP_SCOPE } from './config.js';

const settings = {
  app: 'jwt-server',
  defaultScopes: [MCP_SCOPE],
  identity: false,
  note: 'Clients live in $DATA_DIR/jwt-server.db. Tokens already issued stay valid until they expire; revoke those with POST /revoke.',
};

await runCommandLine({
  name: 'clients',
  usage: clientsUsage(settings),
  run: (argv, out) => runClientsCommand({ ...settings, dbPath: loadConfig().dbPath }, argv, out),
  userErrors: [ClientAdminError],
});
