// Where apikey-server keeps its keys, from its settings: the SQLite file under DATA_DIR by default,
// the PostgreSQL DATABASE_URL names otherwise (schema apikey_server unless DATABASE_SCHEMA says), and
// an unusable value listed with the other configuration problems, never repeating the password.
import { describeDatabase } from '@mcp-auth/database';
import { ConfigError } from '@mcp-auth/mcp-fastify';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('apikey-server database settings', () => {
  it('keeps the keys in DATA_DIR/apikey-server.db when DATABASE_URL is not set', () => {
    const config = loadConfig({ DATA_DIR: '/srv/keys' });
    expect(config.database).toEqual({ kind: 'sqlite', path: '/srv/keys/apikey-server.db' });
    expect(describeDatabase(config.database)).toBe('/srv/keys/apikey-server.db');
  });

  it('uses PostgreSQL when DATABASE_URL is set, in its own schema, and says where without the password', () => {
    const config = loadConfig({ DATA_DIR: '/srv/keys', DATABASE_URL: 'postgres://keys:s3cret-pw@db.internal:6543/mcp' });
    expect(config.database).toMatchObject({
      kind: 'postgres',
      host: 'db.internal',
      port: 6543,
      database: 'mcp',
      user: 'keys',
      schema: 'apikey_server',
    });
    expect(describeDatabase(config.database)).toBe('PostgreSQL keys@db.internal:6543/mcp schema apikey_server');
    expect(loadConfig({ DATABASE_URL: 'postgres://keys@db/mcp', DATABASE_SCHEMA: 'tenant_a' }).database).toMatchObject({
      schema: 'tenant_a',
    });
  });

  it('lists an unusable DATABASE_URL or DATABASE_SCHEMA with the other problems, never repeating a password', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/mcp', PORT: 'eighty' });
    expect(problems.length).toBe(2);
    expect(problems.join('\n')).toMatch(/DATABASE_URL must be a PostgreSQL URL/);
    expect(problems.join('\n')).not.toContain('hunter2');
    const broken = problemsOf({ DATABASE_URL: 'postgres://root:hun ter2@db:99999/mcp' });
    expect(broken).toHaveLength(1);
    expect(broken.join('\n')).not.toContain('hun ter2');
    expect(problemsOf({ DATABASE_SCHEMA: 'tenant_a' }).join('\n')).toMatch(/DATABASE_SCHEMA is set but DATABASE_URL is not/);
    expect(problemsOf({ DATABASE_URL: 'postgres://u@db/mcp', DATABASE_SCHEMA: 'Robert"); DROP' }).join('\n')).toMatch(
      /DATABASE_SCHEMA .* is not a schema name/,
    );
  });
});
