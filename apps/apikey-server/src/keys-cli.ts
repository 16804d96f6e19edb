/** Entry point of `pnpm --filter apikey-server keys ...`. */
import { ApiKeyAdminError } from '@mcp-auth/auth';
import { runCommandLine } from '@mcp-auth/mcp-fastify';
import { runKeysCommand, USAGE } from './keys-command.js';

await runCommandLine({ name: 'keys', usage: USAGE, run: runKeysCommand, userErrors: [ApiKeyAdminError] });
