// Settings every server shares: blank means unset wherever a variable is read, and the session caps
// and shutdown drain are validated with messages that name the variable.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader, loadDotenv, readServerConfig, withoutBlankValues } from '../src/index.js';

const read = (env: Record<string, string>) => {
  const reader = new EnvReader(env);
  const config = readServerConfig(reader, { port: 8100 });
  reader.finish();
  return config;
};

describe('blank means unset', () => {
  it('a blank or all-space variable reads as its default, as docker compose passes an unset VAR with :-', () => {
    const config = read({ PORT: '', LOG_LEVEL: '  ', TRUST_PROXY: '', SESSION_MAX_TOTAL: '', SHUTDOWN_DRAIN_SECONDS: '' });
    expect(config).toMatchObject({ port: 8100, logLevel: 'info', trustProxy: [], sessionMaxTotal: 10_000, shutdownDrainMs: 10_000 });
  });

  it('withoutBlankValues drops blank entries and keeps the rest', () => {
    expect(withoutBlankValues({ A: '', B: ' ', C: 'x', D: undefined })).toEqual({ C: 'x' });
  });

  it('a blank variable in the environment does not hide the value .env gives it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
    writeFileSync(join(dir, '.env'), 'MCP_AUTH_TEST_BLANK=from-dotenv\nMCP_AUTH_TEST_SET=from-dotenv\n');
    process.env.MCP_AUTH_TEST_BLANK = '';
    process.env.MCP_AUTH_TEST_SET = 'from-shell';
    try {
      loadDotenv(dir);
      expect(process.env.MCP_AUTH_TEST_BLANK).toBe('from-dotenv');
      expect(process.env.MCP_AUTH_TEST_SET).toBe('from-shell'); // a real value still wins over .env
    } finally {
      delete process.env.MCP_AUTH_TEST_BLANK;
      delete process.env.MCP_AUTH_TEST_SET;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('session caps and shutdown drain', () => {
  it('reads SESSION_MAX_PER_PRINCIPAL, SESSION_MAX_TOTAL and SHUTDOWN_DRAIN_SECONDS', () => {
    expect(read({ SESSION_MAX_PER_PRINCIPAL: '5', SESSION_MAX_TOTAL: '50', SHUTDOWN_DRAIN_SECONDS: '30' })).toMatchObject({
      sessionMaxPerPrincipal: 5,
      sessionMaxTotal: 50,
      shutdownDrainMs: 30_000,
    });
    expect(read({})).toMatchObject({ sessionMaxPerPrincipal: 100, sessionMaxTotal: 10_000, shutdownDrainMs: 10_000 });
  });

  it('refuses values that make no sense, naming each', () => {
    expect(() => read({ SESSION_MAX_PER_PRINCIPAL: '0', SESSION_MAX_TOTAL: 'lots', SHUTDOWN_DRAIN_SECONDS: '-1' })).toThrow(ConfigError);
    try {
      read({ SESSION_MAX_PER_PRINCIPAL: '0', SESSION_MAX_TOTAL: 'lots', SHUTDOWN_DRAIN_SECONDS: '-1' });
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('SESSION_MAX_PER_PRINCIPAL="0" must be a whole number from 1');
      expect(problems).toContain('SESSION_MAX_TOTAL="lots" must be a whole number');
      expect(problems).toContain('SHUTDOWN_DRAIN_SECONDS="-1" must be a whole number from 0 to 3600');
    }
    expect(() => read({ SESSION_MAX_PER_PRINCIPAL: '200', SESSION_MAX_TOTAL: '100' })).toThrow(/is more than SESSION_MAX_TOTAL=100/);
  });
});
