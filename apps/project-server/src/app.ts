/** Method 3: Project tasks and milestones, behind RS256 tokens from the issuer, RBAC enforced here. */
import { createResourceServer, type FastifyInstance, type Logger, type ResourceServerConfig } from '@mcp-auth/mcp-fastify';
import type { SqliteDatabase } from '@mcp-auth/sqlite';
import { createProjectTools } from '@mcp-auth/tools';

export const SERVER_NAME = 'project-server';

export function buildApp(config: ResourceServerConfig, deps: { db: SqliteDatabase; logger: Logger }): Promise<FastifyInstance> {
  return createResourceServer({
    name: SERVER_NAME,
    title: 'Project tasks and milestones',
    config,
    tools: createProjectTools(deps.db),
    logger: deps.logger,
  });
}
