import type { Principal, ServerAccess } from '@mcp-auth/auth';
import type { AuthInfo } from '@modelcontextprotocol/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ModernEraHandler } from '../modern-era/modern-era-handler.js';
import type { SessionRegistry } from '../sessions/session-registry.js';
import type { ScopeGuard } from './scope-guard.js';
import type { ToolServerHub } from './tool-server-hub.js';

/** What the MCP route modules share. */
export interface McpRouteContext {
  /** The legacy era (2025-11-25 and older): long-lived servers per visible tool set. */
  readonly hub: ToolServerHub;
  /** The modern era (2026-07-28): the SDK's per-request entry on pooled servers. */
  readonly modern: ModernEraHandler;
  /** The role refusal and scope check for a modern request's body, when its headers did not decide. */
  readonly authorizeModernBody: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;
  readonly sessions: SessionRegistry;
  readonly sessionsEnabled: boolean;
  readonly sseKeepAliveMs: number;
  /** MAX_BATCH_MESSAGES. */
  readonly maxBatchMessages: number;
  /** Run by both POST routes after parsing, before dispatch: 403 for tools/call the token's scopes do not cover. */
  readonly refuseUncoveredCalls: ScopeGuard;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every MCP route; routes run only after it succeeded. */
    principal: Principal | null;
    /** The SDK's view of the principal, handed to tool handlers as `extra.authInfo`. */
    authInfo: AuthInfo | null;
    /** What the principal may do on this server (RBAC), when the app has an access policy. */
    access: ServerAccess | null;
  }
}
