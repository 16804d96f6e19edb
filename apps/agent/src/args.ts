/** The agent's command line, parsed and checked, with every mistake explained. */
import { parseArgs } from 'node:util';
import { durationFlag, UsageError } from '@mcp-auth/mcp-fastify';
import type { VersionNegotiationMode } from '@modelcontextprotocol/client';
import { parseVersionNegotiation } from './servers/version-negotiation.js';

export const USAGE = `Usage: pnpm agent [identity] [options]

Identity (method 3, the default):
  --user <id>                 get a token from the issuer by client credentials; the secret comes from
                              AGENT_CLIENT_SECRET, or (dev mode) mcp_auth/demo-credentials.json, or is
                              asked for (hidden) on a terminal
  --dev-token --sub <s> --role <r> [--name <n>] [--id <emp>] [--ttl 1h]
                              sign a token locally with mcp_auth/private.pem, as the article did; its iss
                              is ISSUER, or the issuer URL (what the servers expect by default)
Other methods:
  --method apikey             method 1 server; the key from MCP_API_KEY or asked for on a terminal
  --method jwt --client-id <id>
                              method 2 server; the secret from AGENT_CLIENT_SECRET or asked for
  --url <url>                 the method 1/2 server (default http://127.0.0.1:8100)
Options:
  --issuer-url <url>          default ISSUER_URL or http://127.0.0.1:8000
  --script <file>             run /commands from a file, exit non-zero on the first failure
  --yes                       approve every write without asking (scripted runs)
  -h, --help                  this text

Protocol: AGENT_VERSION_NEGOTIATION=auto (default: ask server/discover, fall back to 2025-11-25),
legacy (2025-11-25 initialize only) or 2026-07-28 (that revision or nothing). /servers shows which
era and protocol version each server connection landed on.

Secrets are never taken from the command line: pnpm prints the command it runs, and any user on the
machine can read arguments with ps. Put them in the environment or .env (blank counts as unset).

Commands: /tools, /call <server.tool> {json}, /whoami, /servers, /help, /exit. With LLM_BASE_URL and
LLM_MODEL set (LLM_API_KEY if the endpoint needs one), anything else is a question for the model.`;

/** Flags that would carry a secret, and the variable to use instead. */
const SECRET_FLAGS = { secret: 'AGENT_CLIENT_SECRET', 'client-secret': 'AGENT_CLIENT_SECRET', 'api-key': 'MCP_API_KEY' } as const;

export type IdentityOptions =
  | { kind: 'client-credentials'; clientId: string; secret: string | undefined; issuerUrl: string }
  | {
      kind: 'dev-token';
      sub: string;
      role: string | undefined;
      name: string | undefined;
      id: string | undefined;
      ttlSeconds: number;
      /** The `iss` to sign with: ISSUER, else the issuer's URL, as the resource servers expect by default. */
      issuer: string;
    }
  | { kind: 'api-key'; key: string | undefined; url: string }
  | { kind: 'jwt-client'; clientId: string; secret: string | undefined; url: string };

export interface AgentOptions {
  identity: IdentityOptions;
  /** How the agent's SDK client negotiates the protocol era over Streamable HTTP. */
  versionNegotiation: VersionNegotiationMode;
  script: string | undefined;
  yes: boolean;
  help: boolean;
}

export function parseAgentArgs(argv: string[], env: Readonly<Record<string, string | undefined>>): AgentOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: 'string' },
      // Secret-carrying flags are parsed only to be refused with a sentence saying what to use instead.
      secret: { type: 'string' },
      'dev-token': { type: 'boolean' },
      sub: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
      ttl: { type: 'string' },
      method: { type: 'string' },
      'api-key': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      url: { type: 'string' },
      'issuer-url': { type: 'string' },
      script: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const common = {
    script: values.script,
    yes: values.yes ?? false,
    help: values.help ?? false,
    versionNegotiation: values.help ? ('auto' as const) : parseVersionNegotiation(env.AGENT_VERSION_NEGOTIATION),
  };
  if (values.help) return { ...common, identity: { kind: 'api-key', key: undefined, url: '' } };
  for (const [flag, variable] of Object.entries(SECRET_FLAGS)) {
    if (values[flag as keyof typeof SECRET_FLAGS] !== undefined) {
      throw new UsageError(
        `--${flag} is refused: pnpm echoes command lines and ps shows them to every user. Set ${variable} in the environment or .env instead, or leave it unset to be asked for it on a terminal`,
      );
    }
  }
  const serverUrl = (values.url ?? 'http://127.0.0.1:8100').replace(/\/$/, '');
  switch (values.method ?? 'rbac') {
    case 'apikey':
      return { ...common, identity: { kind: 'api-key', key: env.MCP_API_KEY, url: serverUrl } };
    case 'jwt': {
      const clientId = values['client-id'] ?? values.user;
      if (!clientId) throw new UsageError('--method jwt needs --client-id (e.g. test_client)');
      return {
        ...common,
        identity: {
          kind: 'jwt-client',
          clientId,
          secret: env.AGENT_CLIENT_SECRET,
          url: serverUrl,
        },
      };
    }
    case 'rbac':
      break;
    default:
      throw new UsageError(`--method must be apikey or jwt (or leave it out for method 3), not "${values.method}"`);
  }
  const issuerUrl = (values['issuer-url'] ?? env.ISSUER_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
  if (values['dev-token']) {
    if (!values.sub) throw new UsageError('--dev-token needs --sub (and usually --role)');
    const ttlSeconds = Math.max(1, Math.round((durationFlag(values.ttl, 'ttl') ?? 3_600_000) / 1000));
    const issuer = env.ISSUER ?? issuerUrl;
    return {
      ...common,
      identity: { kind: 'dev-token', sub: values.sub, role: values.role, name: values.name, id: values.id, ttlSeconds, issuer },
    };
  }
  if (!values.user) throw new UsageError('say who you are: --user <id>, or --dev-token --sub <id> --role <role>');
  return {
    ...common,
    identity: { kind: 'client-credentials', clientId: values.user, secret: env.AGENT_CLIENT_SECRET, issuerUrl },
  };
}
