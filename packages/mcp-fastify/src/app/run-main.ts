/**
 * Runs an app's entry point: a mistake a user can fix (bad settings, a port in use, an invalid policy
 * or key file, a database file, DATA_DIR or PostgreSQL that cannot be used) is printed as one plain
 * message and exits 1; anything else is a bug and keeps its stack.
 */
import { DatabaseBusyError, DatabaseFileError, DatabaseUnavailableError, KeyDirectoryError, PolicyError } from '@mcp-auth/auth';
import { ConfigError } from '../config/env-reader.js';
import { ListenError } from './run-server.js';

// DatabaseUnavailableError at startup: DATABASE_URL names a PostgreSQL that cannot be reached (its
// sentence says where and why, never the password).
const USER_ERRORS = [
  ConfigError,
  ListenError,
  PolicyError,
  KeyDirectoryError,
  DatabaseFileError,
  DatabaseBusyError,
  DatabaseUnavailableError,
];

export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (USER_ERRORS.some((type) => error instanceof type)) {
      process.stderr.write(`${name}: ${(error as Error).message}\n`);
    } else {
      process.stderr.write(`${name} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  });
}
