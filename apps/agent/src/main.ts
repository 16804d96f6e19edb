#!/usr/bin/env node
/** Entry point of `pnpm agent ...`. */
import { loadDotenv } from '@mcp-auth/mcp-fastify';
import { runAgent } from './agent.js';

loadDotenv();
runAgent(process.argv.slice(2), {
  input: process.stdin,
  output: process.stdout,
  interactive: Boolean(process.stdin.isTTY),
  env: process.env,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`agent failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
