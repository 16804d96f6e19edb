/**
 * The `keys` command: create, list, revoke and rotate the server's API keys in its database (the
 * SQLite file under DATA_DIR, or the PostgreSQL DATABASE_URL names, as the server is set). `create`
 * and `rotate` print the new key once, alone on the last line of output (so `| tail -n1` captures
 * it); nothing ever prints a stored key again.
 */
import { parseArgs } from 'node:util';
import { type ApiKeyRecord, apiKeyStatus, createApiKey, revokeApiKey, rotateApiKey } from '@mcp-auth/auth';
import { durationFlag, formatTable, isoSeconds, UsageError, untilServersSeeWrite } from '@mcp-auth/mcp-fastify';
import { loadConfig } from './config.js';
import { openKeyStore } from './key-store.js';

export const USAGE = `Usage: pnpm --filter apikey-server keys <command> [options]

  create --name <name> [--ttl <duration>]   create a key; prints it once
  list [--json]                             list keys (ids, names, status; never secrets)
  revoke <id>                               revoke a key; returns once every server on
                                            this database refuses it (about 0.1 s)
  rotate <id> [--overlap <duration>] [--ttl <duration>]
                                            issue a replacement; the old key keeps working
                                            for the overlap (default 24h), then expires

Durations: 30s, 15m, 24h, 90d. Keys live in $DATA_DIR/apikey-server.db, or with DATABASE_URL set
in that PostgreSQL (schema DATABASE_SCHEMA, default apikey_server).`;

function describe(record: ApiKeyRecord, now: Date) {
  return {
    id: record.id,
    name: record.name,
    status: apiKeyStatus(record, now),
    created: isoSeconds(record.createdAt),
    expires: isoSeconds(record.expiresAt),
    revoked: isoSeconds(record.revokedAt),
    lastUsed: isoSeconds(record.lastUsedAt),
    rotatedFrom: record.rotatedFrom ?? '-',
  };
}

export async function runKeysCommand(argv: string[], out: (line: string) => void): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      ttl: { type: 'string' },
      overlap: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, id] = positionals;
  if (values.help) {
    out(USAGE);
    return;
  }
  if (!command) throw new UsageError('a command is required');
  const config = loadConfig();
  const { store, database } = await openKeyStore(config);
  const now = new Date();
  try {
    switch (command) {
      case 'create': {
        if (!values.name) throw new UsageError('create needs --name <name>');
        const { key, record } = await createApiKey(store, { name: values.name, ttlMs: durationFlag(values.ttl, 'ttl'), now });
        out(`Created key ${record.id} ("${record.name}"), expires ${isoSeconds(record.expiresAt)}.`);
        out('Store it now: it is shown this once and cannot be recovered.');
        out(key);
        return;
      }
      case 'list': {
        const rows = (await store.list()).map((r) => describe(r, now));
        out(
          values.json
            ? JSON.stringify(rows, null, 2)
            : formatTable(rows, 'No keys. Create one: pnpm --filter apikey-server keys create --name <name>'),
        );
        return;
      }
      case 'revoke': {
        if (!id) throw new UsageError('revoke needs a key id (see `keys list`)');
        const record = await revokeApiKey(store, id, now);
        // Servers re-read the database within RECORD_RECHECK_MS; return only once that has passed.
        await untilServersSeeWrite(Date.now());
        out(`Revoked key ${record.id} ("${record.name}"). Requests with it now get 401 at every server on ${database.location}.`);
        return;
      }
      case 'rotate': {
        if (!id) throw new UsageError('rotate needs a key id (see `keys list`)');
        const overlapMs = durationFlag(values.overlap, 'overlap') ?? 24 * 3_600_000;
        const { created, old } = await rotateApiKey(store, id, { overlapMs, ttlMs: durationFlag(values.ttl, 'ttl'), now });
        await untilServersSeeWrite(Date.now()); // so that a short overlap ends when it says, everywhere
        out(`Rotated key ${old.id}: it keeps working until ${isoSeconds(old.expiresAt)}.`);
        out(`New key ${created.record.id} ("${created.record.name}"), expires ${isoSeconds(created.record.expiresAt)}.`);
        out('Store it now: it is shown this once and cannot be recovered.');
        out(created.key);
        return;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await store.close();
  }
}
