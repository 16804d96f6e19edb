/**
 * DNS-rebinding protection (MCP transport spec: servers MUST validate Origin). A web page the user
 * visits can make the browser send requests to 127.0.0.1 with a foreign Origin, or, after rebinding
 * its own name to 127.0.0.1, with a foreign Host. Both are refused with 403 before anything else runs.
 * Requests without an Origin (not from a browser: SDK clients, curl) pass the Origin check.
 */
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface OriginPolicy {
  /** Host names (without port) the server answers to, or 'any' (e.g. behind a proxy that checks it). */
  allowedHosts: 'any' | readonly string[];
  /** Extra browser origins allowed besides loopback ones, exactly as sent: `https://app.example.com`. */
  allowedOrigins: readonly string[];
}

export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

function hostnameOf(hostHeader: string): string {
  // "[::1]:8100" keeps its brackets; "example.com:8100" loses its port.
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1).toLowerCase();
  const colon = hostHeader.indexOf(':');
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTNAMES.has(url.hostname);
  } catch {
    return false;
  }
}

/** Whether a browser origin may call the server: loopback origins, and those named in the policy. */
export function isAllowedOrigin(policy: OriginPolicy, origin: string): boolean {
  return policy.allowedOrigins.includes(origin) || isLoopbackOrigin(origin);
}

/** Returns why a request must be refused, or undefined when its Host and Origin are acceptable. */
export function createOriginGuard(policy: OriginPolicy): (host: string | undefined, origin: string | undefined) => string | undefined {
  const hosts = policy.allowedHosts === 'any' ? undefined : new Set(policy.allowedHosts.map((h) => h.toLowerCase()));
  const origins = new Set(policy.allowedOrigins);
  return (host, origin) => {
    if (hosts) {
      if (!host) return 'Missing Host header';
      if (!hosts.has(hostnameOf(host))) return 'Host not allowed';
    }
    if (origin !== undefined && !origins.has(origin) && !isLoopbackOrigin(origin)) return 'Origin not allowed';
    return undefined;
  };
}
