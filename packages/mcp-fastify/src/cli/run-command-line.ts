/**
 * Runs an admin command (`keys`, `clients`) as a process: loads .env, runs it, and turns the errors a
 * user can fix (bad usage, bad settings, a refused operation) into one line on stderr and exit code 1.
 * Anything else is a bug and keeps its stack trace.
 */
import { DatabaseBusyError, DatabaseFileError, parseDuration } from '@mcp-auth/auth';
import { ConfigError } from '../config/env-reader.js';
import { loadDotenv } from '../config/load-dotenv.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A duration flag (`--ttl 90d`) in milliseconds, undefined when absent; a UsageError names the flag. */
export function durationFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDuration(value);
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`);
  }
}

export interface CommandLine {
  name: string;
  usage: string;
  run: (argv: string[], out: (line: string) => void) => void | Promise<void>;
  /** Error classes whose messages are meant for the user. */
  userErrors: ReadonlyArray<abstract new (...args: never[]) => Error>;
}

export async function runCommandLine(command: CommandLine, argv = process.argv.slice(2)): Promise<void> {
  loadDotenv();
  try {
    await command.run(argv, (line) => process.stdout.write(`${line}\n`));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`${command.name}: ${(error as Error).message}\n\n${command.usage}\n`);
    } else if ([ConfigError, DatabaseFileError, DatabaseBusyError, ...command.userErrors].some((type) => error instanceof type)) {
      process.stderr.write(`${command.name}: ${(error as Error).message}\n`);
    } else {
      throw error;
    }
    process.exitCode = 1;
  }
}
