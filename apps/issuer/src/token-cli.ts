/**
 * `pnpm token --sub alice --role Manager [--ttl 1h]`: mints an RS256 token with the local private key,
 * as the article's RSAKeyPair.create_token did, for demos and tests. It prints the token alone on
 * stdout. Anyone who can read mcp_auth/private.pem can mint any role; real clients use POST /token.
 */
import { parseArgs } from 'node:util';
import { createRs256TokenIssuer, KeyDirectoryError, loadKeySet } from '@mcp-auth/auth';
import { durationFlag, runCommandLine, UsageError } from '@mcp-auth/mcp-fastify';
import { loadConfig } from './config.js';

const USAGE = `Usage: pnpm token --sub <subject> [--role <job_role>] [--name <name>] [--id <id>]
                  [--ttl <duration>] [--aud <audience>] [--scope <scopes>]

Signs with MCP_AUTH_DIR/private.pem. Defaults: --ttl 1h, --aud DEFAULT_AUDIENCE (my-mcp-server),
issuer ISSUER (default: the issuer's PUBLIC_URL, http://127.0.0.1:8000), --name from --sub.`;

async function run(argv: string[], out: (line: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sub: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
      ttl: { type: 'string' },
      aud: { type: 'string' },
      scope: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  if (!values.sub) throw new UsageError('--sub is required');
  // The issuer's own settings, so the token names the same `iss` the running issuer does.
  const settings = loadConfig(process.env);
  const ttlSeconds = Math.max(1, Math.round((durationFlag(values.ttl, 'ttl') ?? 3_600_000) / 1000));
  const keys = loadKeySet(settings.keyDir);
  const issuer = createRs256TokenIssuer({ keys: { current: () => keys.signing }, issuer: settings.issuer, ttlSeconds });
  const name = values.name ?? values.sub.charAt(0).toUpperCase() + values.sub.slice(1);
  const { token } = await issuer.issue({
    subject: values.sub,
    audience: values.aud ?? settings.defaultAudience,
    scope: values.scope ?? 'mcp',
    claims: { name, ...(values.role ? { job_role: values.role } : {}), ...(values.id ? { id: values.id } : {}) },
  });
  out(token);
}

await runCommandLine({ name: 'token', usage: USAGE, run, userErrors: [KeyDirectoryError] });
