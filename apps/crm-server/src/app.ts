/** Method 3: Customers, interactions and pipeline, behind RS256 tokens from the issuer, RBAC enforced here. */

import type { Database } from '@mcp-auth/database';
import { createResourceServer, type FastifyInstance, type Logger, type ResourceServerConfig } from '@mcp-auth/mcp-fastify';
import { createCrmTools } from '@mcp-auth/tools';

export const SERVER_NAME = 'crm-server';

export function buildApp(config: ResourceServerConfig, deps: { database: Database<unknown>; logger: Logger }): Promise<FastifyInstance> {
  return createResourceServer({
    name: SERVER_NAME,
    title: 'Customers, interactions and pipeline',
    config,
    tools: createCrmTools(deps.database),
    logger: deps.logger,
  });
}
