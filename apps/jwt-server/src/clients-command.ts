/**
 * The `clients` command: register, list, revoke OAuth clients and rotate their secrets, in the
 * server's database under DATA_DIR. `create` and `rotate` print the new secret once, alone on the
 * last line of output; nothing ever prints a stored secret again.
 */
import { parseArgs } from 'node:util';
import {
  createClient,
  type OAuthClientRecord,
  openDatabase,
  openSqliteClientStore,
  parseDuration,
  revokeClient,
  rotateClientSecret,
} from '@mcp-auth/auth';
import { formatTable, isoSeconds, UsageError } from '@mcp-auth/mcp-fastify';
import { loadConfig, MCP_SCOPE } from './config.js';

export const USAGE = `Usage: pnpm --filter jwt-server clients <command> [options]

  create <client_id> [--name <name>] [--scope "<scopes>"]   register a client; prints its secret once
  list [--json]                                             list clients (never secrets)
  revoke <client_id>                                        refuse the client's future token requests
  rotate <client_id> [--overlap <duration>]                 new secret now; the old one keeps working
                                                            for the overlap (default 24h)

Scopes default to "${MCP_SCOPE}" (needed to use the MCP endpoint). Durations: 30s, 15m, 24h, 7d.
Clients live in $DATA_DIR/jwt-server.db. Tokens already issued stay valid until they expire;
revoke those with POST /revoke.`;

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

export function runClientsCommand(argv: string[], out: (line: string) => void): void {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scope: { type: 'string' },
      overlap: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, clientId] = positionals;
  if (values.help) {
    out(USAGE);
    return;
  }
  if (!command) throw new UsageError('a command is required');
  const config = loadConfig();
  const db = openDatabase(config.dbPath);
  const store = openSqliteClientStore(db);
  const now = new Date();
  try {
    switch (command) {
      case 'create': {
        if (!clientId) throw new UsageError('create needs a client id');
        const scopes = (values.scope ?? MCP_SCOPE).split(' ').filter(Boolean);
        const { secret, record } = createClient(store, { clientId, ...(values.name ? { name: values.name } : {}), scopes, now });
        out(`Registered client ${record.clientId} ("${record.name}") with scopes: ${record.scopes.join(' ')}.`);
        out('Store its secret now: it is shown this once and cannot be recovered.');
        out(secret);
        return;
      }
      case 'list': {
        const rows = store.list().map((r) => describe(r, now));
        out(
          values.json
            ? JSON.stringify(rows, null, 2)
            : formatTable(rows, 'No clients. Register one: pnpm --filter jwt-server clients create <client_id>'),
        );
        return;
      }
      case 'revoke': {
        if (!clientId) throw new UsageError('revoke needs a client id (see `clients list`)');
        revokeClient(store, clientId, now);
        out(`Revoked client ${clientId}: its token requests now get invalid_client.`);
        return;
      }
      case 'rotate': {
        if (!clientId) throw new UsageError('rotate needs a client id (see `clients list`)');
        let overlapMs = 24 * 3_600_000;
        if (values.overlap !== undefined) {
          try {
            overlapMs = parseDuration(values.overlap);
          } catch (error) {
            throw new UsageError(`--overlap: ${(error as Error).message}`);
          }
        }
        const { secret, record } = rotateClientSecret(store, clientId, { overlapMs, now });
        out(`Rotated the secret of ${clientId}; the old one works until ${isoSeconds(record.previousSecretExpiresAt)}.`);
        out('Store the new secret now: it is shown this once and cannot be recovered.');
        out(secret);
        return;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    db.close();
  }
}
