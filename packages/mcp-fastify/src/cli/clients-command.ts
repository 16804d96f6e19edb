/**
 * The `clients` command of the apps that issue tokens (jwt-server, issuer): register, list, revoke
 * OAuth clients and rotate their secrets, in the app's database. `create` and `rotate` print the new
 * secret once, alone on the last line of output; nothing ever prints a stored secret again.
 */
import { parseArgs } from 'node:util';
import { type ClientTables, createClient, type OAuthClientRecord, openClientStore, revokeClient, rotateClientSecret } from '@mcp-auth/auth';
import { type DatabaseSettings, openStore } from '@mcp-auth/database';
import { formatTable, isoSeconds } from './admin-output.js';
import { durationFlag, UsageError } from './run-command-line.js';
import { untilServersSeeWrite } from './until-servers-see-write.js';

export interface ClientsCommandSettings {
  /** The app, as in `pnpm --filter <app> clients`. */
  app: string;
  /** Where the app keeps its clients (its SQLite file, or the shared PostgreSQL). */
  database: DatabaseSettings;
  defaultScopes: readonly string[];
  /** Whether clients carry an identity (subject, role, claims) into their tokens (the issuer). */
  identity: boolean;
  /** A closing line for the usage text, e.g. where clients live. */
  note: string;
  /** What `revoke` has done once it returns, and where and how soon it reaches the rest. */
  revokeEffect: string;
  /**
   * After a revocation has committed, tells the servers that copy this app's revocations (the
   * issuer's Redis nudge to resource servers); resolves to the sentence that says how soon they see it.
   */
  announceRevocation?: () => Promise<string>;
}

export function clientsUsage(settings: Pick<ClientsCommandSettings, 'app' | 'defaultScopes' | 'identity' | 'note'>): string {
  const identity = settings.identity ? ' [--sub <subject>] [--role <job_role>] [--claim key=value ...]' : '';
  return `Usage: pnpm --filter ${settings.app} clients <command> [options]

  create <client_id> [--name <name>] [--scope "<scopes>"]${identity}
                                        register a client; prints its secret once
  list [--json]                         list clients (never secrets)
  revoke <client_id>                    refuse the client's token requests and end the
                                        tokens it holds
  rotate <client_id> [--overlap <duration>]
                                        new secret now; the old one keeps working for the
                                        overlap (default 24h)

Scopes default to "${settings.defaultScopes.join(' ')}". Durations: 30s, 15m, 24h, 7d.
${settings.note}`;
}

function describe(record: OAuthClientRecord, now: Date) {
  const previous =
    record.previousSecretExpiresAt && record.previousSecretExpiresAt > now ? isoSeconds(record.previousSecretExpiresAt) : '-';
  return {
    clientId: record.clientId,
    name: record.name,
    status: record.revokedAt ? 'revoked' : 'active',
    scopes: record.scopes.join(' '),
    created: isoSeconds(record.createdAt),
    lastUsed: isoSeconds(record.lastUsedAt),
    oldSecretUntil: previous,
  };
}

export async function runClientsCommand(settings: ClientsCommandSettings, argv: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scope: { type: 'string' },
      overlap: { type: 'string' },
      sub: { type: 'string' },
      role: { type: 'string' },
      claim: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, clientId] = positionals;
  if (values.help) {
    out(clientsUsage(settings));
    return;
  }
  if (!command) throw new UsageError('a command is required');
  if (!settings.identity && (values.sub || values.role || values.claim))
    throw new UsageError('--sub, --role and --claim are for the issuer');
  const claims: Record<string, string> = {};
  for (const pair of values.claim ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--claim ${pair}: use key=value`);
    claims[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const database = openStore<ClientTables>(settings.database);
  const now = new Date();
  try {
    const store = await openClientStore(database);
    switch (command) {
      case 'create': {
        if (!clientId) throw new UsageError('create needs a client id');
        const scopes = values.scope === undefined ? [...settings.defaultScopes] : values.scope.split(' ').filter(Boolean);
        const { secret, record } = await createClient(store, {
          clientId,
          ...(values.name ? { name: values.name } : {}),
          ...(values.sub ? { subject: values.sub } : {}),
          role: values.role ?? null,
          claims,
          scopes,
          now,
        });
        const role = record.role ? `, role ${record.role}` : '';
        out(`Registered client ${record.clientId} ("${record.name}"${role}) with scopes: ${record.scopes.join(' ') || '(none)'}.`);
        out('Store its secret now: it is shown this once and cannot be recovered.');
        out(secret);
        return;
      }
      case 'list': {
        const rows = (await store.list()).map((r) => describe(r, now));
        out(
          values.json
            ? JSON.stringify(rows, null, 2)
            : formatTable(rows, 'No clients. Register one: pnpm --filter jwt-server clients create <client_id>'),
        );
        return;
      }
      case 'revoke': {
        if (!clientId) throw new UsageError('revoke needs a client id (see `clients list`)');
        await revokeClient(store, clientId, now);
        // Servers re-read the database within RECORD_RECHECK_MS; return only once that has passed.
        await untilServersSeeWrite(Date.now());
        const reach = settings.announceRevocation ? ` ${await settings.announceRevocation()}` : '';
        out(`Revoked client ${clientId}: ${settings.revokeEffect}${reach}`);
        return;
      }
      case 'rotate': {
        if (!clientId) throw new UsageError('rotate needs a client id (see `clients list`)');
        const overlapMs = durationFlag(values.overlap, 'overlap') ?? 24 * 3_600_000;
        const { secret, record } = await rotateClientSecret(store, clientId, { overlapMs, now });
        await untilServersSeeWrite(Date.now()); // so that a short overlap ends when it says
        out(`Rotated the secret of ${clientId}; the old one works until ${isoSeconds(record.previousSecretExpiresAt)}.`);
        out('Store the new secret now: it is shown this once and cannot be recovered.');
        out(secret);
        return;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await database.close();
  }
}
