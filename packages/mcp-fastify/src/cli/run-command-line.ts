/**
 * Runs an admin command (`keys`, `clients`, `token`) as a process: `--help`/`-h` prints its usage and
 * exits 0 before anything else; otherwise it loads .env, runs it, and turns the errors a
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

/** `--help` or `-h` anywhere before a `--`: usage is printed before settings or files are read. */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

export async function runCommandLine(command: CommandLine, argv = process.argv.slice(2)): Promise<void> {
  // Help never depends on a valid .env or an existing database, and never changes anything.
  if (asksForHelp(argv)) {
    process.stdout.write(`${command.usage}\n`);
    return;
  }
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
