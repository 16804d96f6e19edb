/** Entry point of `pnpm --filter apikey-server keys ...`: runs the command, maps errors to exit code 1. */
import { ApiKeyAdminError } from '@mcp-auth/auth';
import { ConfigError, loadDotenv } from '@mcp-auth/mcp-fastify';
import { runKeysCommand, USAGE, UsageError } from './keys-command.js';

loadDotenv();
try {
  runKeysCommand(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
} catch (error) {
  const code = (error as { code?: unknown }).code;
  if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`keys: ${(error as Error).message}\n\n${USAGE}\n`);
  } else if (error instanceof ApiKeyAdminError || error instanceof ConfigError) {
    process.stderr.write(`keys: ${error.message}\n`);
  } else {
    throw error;
  }
  process.exitCode = 1;
}
