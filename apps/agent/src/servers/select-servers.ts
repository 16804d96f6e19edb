/**
 * Which servers to connect to: for method 3, the ones the shared RBAC policy grants the token's
 * job_role (never an if/else on role names); for methods 1 and 2, the one server named by --url.
 */
import { DEFAULT_POLICY_PATH, loadPolicy, serversForRole } from '@mcp-auth/auth';

export interface ServerTarget {
  /** Namespace of its tools: `hr` for hr-server. */
  namespace: string;
  name: string;
  url: string;
}

export interface Selection {
  targets: ServerTarget[];
  /** Servers the policy does not grant this role, with their names only. */
  denied: string[];
}

const namespaceOf = (server: string) => server.replace(/-server$/, '');

export function selectByPolicy(role: string | undefined, env: Readonly<Record<string, string | undefined>>): Selection {
  const policy = loadPolicy(env.RBAC_POLICY_FILE ?? DEFAULT_POLICY_PATH);
  const { allowed, denied } = serversForRole(policy, role);
  // Where a server is reached can differ from the policy's URL (in Docker: http://hr-server:8001).
  const overrides: Record<string, string | undefined> = {
    'hr-server': env.HR_SERVER_URL,
    'project-server': env.PROJECT_SERVER_URL,
    'crm-server': env.CRM_SERVER_URL,
  };
  return {
    targets: allowed.map((name) => ({
      name,
      namespace: namespaceOf(name),
      url: (overrides[name] ?? policy.servers[name]?.url ?? '').replace(/\/$/, ''),
    })),
    denied,
  };
}

export function singleServer(name: string, url: string): Selection {
  return { targets: [{ name, namespace: namespaceOf(name), url }], denied: [] };
}
