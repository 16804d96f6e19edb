/**
 * `pnpm keys:generate [--force]` and `pnpm keys:rotate [--publish-for <duration>]`: the issuer's RSA
 * key pair in MCP_AUTH_DIR (default mcp_auth/ at the top of the checkout).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { hasKeyPair, KeyDirectoryError, rotateKeyPair, writeKeyPair } from '@mcp-auth/auth';
import { durationFlag, EnvReader, runCommandLine, UsageError } from '@mcp-auth/mcp-fastify';
import { cookieSecretPath, writeCookieSecret } from './authorization-server/cookie-secret.js';
import { readKeySettings } from './config.js';

const USAGE = `Usage: pnpm keys:generate [--force | --if-missing]
       pnpm keys:rotate [--publish-for <duration>] [--activate-after <duration>]

  generate   write mcp_auth/private.pem (PKCS#8, mode 0600) and public.pem (SPKI); refuses to
             replace an existing pair without --force (--if-missing: keep it, exit 0); also writes
             mcp_auth/cookie-secret (0600), the key of the sign-in cookies, when it is missing or
             with --force (which signs everyone out of the sign-in pages)
  rotate     sign with a new key from now on; the old public key stays in the JWKS for
             --publish-for (default: the token lifetime plus 5 minutes), so its tokens keep working.
             --activate-after 30s publishes the new key first and signs with it 30 s later, so servers
             that just refetched the JWKS (their cooldown is 10 s) already know it

MCP_AUTH_DIR chooses the folder; a running issuer picks the new key up within a second.`;

function run(argv: string[], out: (line: string) => void): void {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      force: { type: 'boolean' },
      'if-missing': { type: 'boolean' },
      'publish-for': { type: 'string' },
      'activate-after': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(USAGE);
    return;
  }
  const env = new EnvReader(process.env);
  const settings = readKeySettings(env);
  env.finish();
  switch (positionals[0]) {
    case 'generate': {
      // The cookie secret of the sign-in pages lives beside the keys and is created with them.
      const cookieSecret = cookieSecretPath(settings.keyDir);
      if (values.force || !existsSync(cookieSecret)) {
        writeCookieSecret(settings.keyDir);
        out(`Wrote ${cookieSecret} (0600).`);
      }
      if (values['if-missing'] && hasKeyPair(settings.keyDir)) {
        out(`Kept the key pair in ${settings.keyDir}.`);
        return;
      }
      const kid = writeKeyPair(settings.keyDir, { force: values.force ?? false });
      out(`Wrote ${settings.keyDir}/private.pem (0600) and public.pem; kid ${kid}.`);
      return;
    }
    case 'rotate': {
      const publishForSeconds = Math.ceil(
        (durationFlag(values['publish-for'], 'publish-for') ?? (settings.tokenTtlSeconds + 300) * 1000) / 1000,
      );
      const activateAfterSeconds = Math.ceil((durationFlag(values['activate-after'], 'activate-after') ?? 0) / 1000);
      const { oldKid, newKid, activatesAt } = rotateKeyPair(settings.keyDir, { publishForSeconds, activateAfterSeconds });
      out(
        activateAfterSeconds > 0
          ? `Published kid ${newKid}; it signs from ${activatesAt.toISOString()}. kid ${oldKid} then stays in the JWKS for ${publishForSeconds} s.`
          : `Now signing with kid ${newKid}. kid ${oldKid} stays in the JWKS for ${publishForSeconds} s.`,
      );
      return;
    }
    default:
      throw new UsageError(positionals[0] ? `unknown command "${positionals[0]}"` : 'a command is required: generate or rotate');
  }
}

await runCommandLine({ name: 'keys', usage: USAGE, run, userErrors: [KeyDirectoryError] });
