/** Method 3: HR records, leave and reviews, behind RS256 tokens from the issuer, RBAC enforced here. */

import type { Database } from '@mcp-auth/database';
import { createResourceServer, type FastifyInstance, type Logger, type ResourceServerConfig } from '@mcp-auth/mcp-fastify';
import { createHrTools } from '@mcp-auth/tools';

export const SERVER_NAME = 'hr-server';

export function buildApp(config: ResourceServerConfig, deps: { database: Database<unknown>; logger: Logger }): Promise<FastifyInstance> {
  return createResourceServer({
    name: SERVER_NAME,
    title: 'HR records, leave and reviews',
    config,
    tools: createHrTools(deps.database),
    logger: deps.logger,
  });
}
