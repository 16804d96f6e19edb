/** Method 3: Project tasks and milestones, behind RS256 tokens from the issuer, RBAC enforced here. */

import type { Database } from '@mcp-auth/database';
import { createResourceServer, type FastifyInstance, type Logger, type ResourceServerConfig } from '@mcp-auth/mcp-fastify';
import { createProjectTools } from '@mcp-auth/tools';

export const SERVER_NAME = 'project-server';

export function buildApp(config: ResourceServerConfig, deps: { database: Database<unknown>; logger: Logger }): Promise<FastifyInstance> {
  return createResourceServer({
    name: SERVER_NAME,
    title: 'Project tasks and milestones',
    config,
    tools: createProjectTools(deps.database),
    logger: deps.logger,
  });
}
