// hr-server refuses a DATA_DIR or database file it cannot use with one sentence and exit code 1.
import { join } from 'node:path';
import { describeDatabaseStartupErrors } from '@mcp-auth/mcp-fastify/testing';

describeDatabaseStartupErrors('hr-server', join(import.meta.dirname, '..'), 'hr-server.db');
