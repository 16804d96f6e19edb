/** Method 3: Customers, interactions and pipeline, behind RS256 tokens from the issuer, RBAC enforced here. */
import { createResourceServer, type FastifyInstance, type Logger, type ResourceServerConfig } from '@mcp-auth/mcp-fastify';
import type { SqliteDatabase } from '@mcp-auth/sqlite';
import { createCrmTools } from '@mcp-auth/tools';

export const SERVER_NAME = 'crm-server';

export function buildApp(config: ResourceServerConfig, deps: { db: SqliteDatabase; logger: Logger }): Promise<FastifyInstance> {
  return createResourceServer({
    name: SERVER_NAME,
    title: 'Customers, interactions and pipeline',
    config,
    tools: createCrmTools(deps.db),
    logger: deps.logger,
  });
}
