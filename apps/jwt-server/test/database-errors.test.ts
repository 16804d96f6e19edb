// jwt-server refuses a DATA_DIR or database file it cannot use with one sentence and exit code 1. It
// also keeps its dev signing secret in DATA_DIR, so the database is opened first: a DATA_DIR that is a
// file once gave a stack trace from writing that secret.
import { join } from 'node:path';
import { describeDatabaseStartupErrors } from '@mcp-auth/mcp-fastify/testing';

describeDatabaseStartupErrors('jwt-server', join(import.meta.dirname, '..'), 'jwt-server.db');
