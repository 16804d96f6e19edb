/** Entry point of `pnpm --filter jwt-server clients ...`. */
import { ClientAdminError } from '@mcp-auth/auth';
import { runCommandLine } from '@mcp-auth/mcp-fastify';
import { runClientsCommand, USAGE } from './clients-command.js';

runCommandLine({ name: 'clients', usage: USAGE, run: runClientsCommand, userErrors: [ClientAdminError] });
