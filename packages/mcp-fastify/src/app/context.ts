import type { Principal } from '@mcp-auth/auth';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpMessageRouter } from '../routing/message-router.js';
import type { SessionRegistry } from '../sessions/session-registry.js';

/** What the MCP route modules share. */
export interface McpRouteContext {
  readonly router: McpMessageRouter;
  readonly sessions: SessionRegistry;
  readonly sessionsEnabled: boolean;
  readonly sseKeepAliveMs: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every MCP route; routes run only after it succeeded. */
    principal: Principal | null;
    /** The SDK's view of the principal, handed to tool handlers as `extra.authInfo`. */
    authInfo: AuthInfo | null;
  }
}
