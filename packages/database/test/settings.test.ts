// DATABASE_URL and DATABASE_SCHEMA as read at startup: the embedded default when unset, PostgreSQL
// with a schema per service when set, and one sentence per mistake that never repeats the password.
import { describe, expect, it } from 'vitest';
import { DatabaseUrlError, databaseSettings, defaultSchema } from '../src/index.js';

const defaults = { service: 'hr-server', sqlitePath: '/data/hr.db' };
const PASSWORD = 'pa55-w0rd';

function refusal(env: Record<string, string>): string {
  try {
    databaseSettings(env, defaults);
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseUrlError);
    const message = (error as Error).message;
    expect(message).not.toContain(PASSWORD);
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
    return message;
  }
  throw new Error('expected a DatabaseUrlError');
}

describe('databaseSettings', () => {
  it('keeps the embedded SQLite file when DATABASE_URL is unset or empty', () => {
    expect(databaseSettings({}, defaults)).toEqual({ kind: 'sqlite', path: '/data/hr.db' });
    expect(databaseSettings({ DATABASE_URL: '  ' }, defaults)).toEqual({ kind: 'sqlite', path: '/data/hr.db' });
  });

  it('reads a PostgreSQL URL, with a schema named after the service unless DATABASE_SCHEMA says otherwise', () => {
    const url = `postgres://app:${PASSWORD}@db.internal:6432/mcp?sslmode=require`;
    expect(databaseSettings({ DATABASE_URL: url }, defaults)).toEqual({
      kind: 'postgres',
      url,
      schema: 'hr_server',
      host: 'db.internal',
      port: 6432,
      database: 'mcp',
      user: 'app',
      service: 'hr-server',
    });
    const other = databaseSettings({ DATABASE_URL: 'postgresql://app@db/mcp', DATABASE_SCHEMA: 'hr_blue' }, defaults);
    expect(other).toMatchObject({ schema: 'hr_blue', port: 5432, host: 'db' });
    // No database in the URL: PostgreSQL's default, the user's name.
    expect(databaseSettings({ DATABASE_URL: 'postgres://app@db' }, defaults)).toMatchObject({ database: 'app' });
    expect(defaultSchema('crm-server')).toBe('crm_server');
    expect(defaultSchema('2fa.Service')).toBe('_2fa_service');
  });

  it('refuses what it cannot use, in one sentence naming the setting, without the password', () => {
    expect(refusal({ DATABASE_URL: `mysql://root:${PASSWORD}@db/mcp` })).toBe(
      'DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database), not a mysql: URL; leave DATABASE_URL unset to keep the embedded SQLite database.',
    );
    expect(refusal({ DATABASE_URL: 'db.internal:5432' })).toMatch(/^DATABASE_URL must be a PostgreSQL URL/);
    // A password with a "/" that was not percent-encoded: the URL does not parse, and it is not echoed.
    expect(refusal({ DATABASE_URL: `postgres://app:${PASSWORD}/x@db/mcp` })).toMatch(
      /^DATABASE_URL is not a valid URL .*its value is not shown because it may contain a password.*percent-encode it/,
    );
    expect(refusal({ DATABASE_URL: `postgres://app:${PASSWORD}%zz@db/mcp` })).toMatch(/^DATABASE_URL has a password with a "%"/);
    expect(refusal({ DATABASE_URL: 'postgres:///mcp' })).toMatch(/^DATABASE_URL names no host/);
    expect(refusal({ DATABASE_URL: `postgres://app:${PASSWORD}@db:99999/mcp` })).toMatch(/^DATABASE_URL is not a valid URL/);
    expect(refusal({ DATABASE_URL: `postgres://app:${PASSWORD}@db/mcp/extra` })).toMatch(/database part "mcp\/extra" has a "\/"/);
    expect(refusal({ DATABASE_URL: `postgres://app:${PASSWORD}@db/mcp`, DATABASE_SCHEMA: 'HR-Server' })).toMatch(
      /^DATABASE_SCHEMA "HR-Server" is not a schema name .*for example hr_server/,
    );
    expect(refusal({ DATABASE_SCHEMA: 'hr' })).toMatch(/^DATABASE_SCHEMA is set but DATABASE_URL is not/);
  });
});
