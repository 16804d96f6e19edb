// apikey-server refuses a DATA_DIR or key database it cannot use with one sentence and exit code 1.
import { join } from 'node:path';
import { describeDatabaseStartupErrors } from '@mcp-auth/mcp-fastify/testing';

describeDatabaseStartupErrors('apikey-server', join(import.meta.dirname, '..'), 'apikey-server.db');
