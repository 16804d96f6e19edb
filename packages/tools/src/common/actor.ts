/**
 * Who is acting, from the verified token and never from tool arguments: writes record `created_by`,
 * reviewers and approvers from here, whatever the arguments claim.
 */
import type { Principal } from '@mcp-auth/auth';
import { ToolError } from '../tool-definition.js';

export interface Actor {
  /** The token's subject, e.g. "alice". */
  readonly subject: string;
  /** The employee number the token carries (`id` claim), when it has one. */
  readonly employeeId: string | undefined;
}

export function actorOf(principal: Principal | undefined): Actor {
  if (!principal) throw new ToolError('This tool needs an authenticated caller');
  const id = principal.claims?.id;
  return { subject: principal.subject, employeeId: typeof id === 'string' ? id : undefined };
}
