// The https rule for the issuer URLs of method 3's resource servers. Production must be possible
// inside a compose network, where the issuer is http://issuer:8000: a host named in
// PRIVATE_HTTP_HOSTS may be reached over plain http (with a warning at startup); any other plain
// http URL is still refused. (NODE_ENV=production in .env once put every resource server in a
// restart loop: `ISSUER_URL="http://issuer:8000" must use https`.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createHrTools, openHrDatabase } from '@mcp-auth/tools';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, createLogger, createResourceServer, type Env, EnvReader, readResourceServerConfig } from '../src/index.js';

function read(env: Env) {
  const reader = new EnvReader(env);
  const config = readResourceServerConfig(reader, { port: 8001, dbFile: 'hr-server.db' });
  reader.finish();
  return config;
}

function problems(env: Env): string {
  try {
    read(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

const root = join(import.meta.dirname, '..', '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { environment: Record<string, string> }>;
};
/** A service's environment as compose resolves it from `dotenv` (`${VAR:-default}`, `${VAR-default}`, `${VAR}`). */
function composeEnvironment(service: string, dotenv: Env): Env {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(compose.services[service]?.environment ?? {})) {
    resolved[name] = String(value).replace(
      /\$\{([A-Z0-9_]+)(?:(:?-)([^}]*))?\}/g,
      (_m, v: string, op: string | undefined, fallback = '') => {
        const set = dotenv[v];
        if (op === ':-') return set ? set : fallback;
        if (op === '-') return set ?? fallback;
        return set ?? '';
      },
    );
  }
  return resolved;
}

describe('the docker compose setting', () => {
  it.each(['hr-server', 'project-server', 'crm-server'])('%s: accepted with NODE_ENV=production in .env', (service) => {
    const config = read(composeEnvironment(service, { NODE_ENV: 'production' }));
    expect(config.server.production).toBe(true);
    expect(config.keys).toMatchObject({ jwksUrl: 'http://issuer:8000/.well-known/jwks.json' });
    expect(config.plainHttpTrusted).toEqual([
      'JWKS_URL=http://issuer:8000/.well-known/jwks.json',
      'REVOCATIONS_URL=http://issuer:8000/revocations',
    ]);
    // The revocation feed is polled where the keys come from, not at the URL clients are told.
    expect(config.revocations?.url).toBe('http://issuer:8000/revocations');
    // What clients are told is where they can reach the issuer from outside, not the service name.
    expect(config.issuerUrl).toBe('http://localhost:8000');
  });

  it('follows ISSUER_URL from .env, and production still refuses it over plain http to a host not trusted', () => {
    expect(read(composeEnvironment('hr-server', { NODE_ENV: 'production', ISSUER_URL: 'https://issuer.example.com' })).issuerUrl).toBe(
      'https://issuer.example.com',
    );
    expect(problems(composeEnvironment('hr-server', { NODE_ENV: 'production', ISSUER_URL: 'http://issuer.example.com' }))).toContain(
      'ISSUER_URL="http://issuer.example.com" must use https in production',
    );
  });
});

describe('PRIVATE_HTTP_HOSTS', () => {
  const production = { NODE_ENV: 'production' };

  it('without it, production refuses a plain http issuer and says how to trust a private network', () => {
    expect(problems({ ...production, ISSUER_URL: 'http://issuer:8000' })).toContain(
      'ISSUER_URL="http://issuer:8000" must use https in production. Plain http is allowed for localhost, and for hosts on a private network you trust named in PRIVATE_HTTP_HOSTS',
    );
    expect(problems({ ...production, JWKS_URL: 'http://issuer:8000/.well-known/jwks.json' })).toContain('JWKS_URL=');
  });

  it('lets exactly the named hosts use plain http, and lists every URL it let through', () => {
    const config = read({ ...production, ISSUER_URL: 'http://issuer:8000', PRIVATE_HTTP_HOSTS: 'Issuer, keys.internal' });
    expect(config.plainHttpTrusted).toEqual([
      'ISSUER_URL=http://issuer:8000',
      'JWKS_URL=http://issuer:8000/.well-known/jwks.json',
      'REVOCATIONS_URL=http://issuer:8000/revocations',
    ]);
    expect(problems({ ...production, ISSUER_URL: 'http://issuer2:8000', PRIVATE_HTTP_HOSTS: 'issuer' })).toContain(
      'ISSUER_URL="http://issuer2:8000" must use https in production',
    );
    expect(problems({ ...production, ISSUER_URL: 'ftp://issuer:8000', PRIVATE_HTTP_HOSTS: 'issuer' })).toContain('must use https');
  });

  it('is not needed for https, for localhost, or outside production, and then warns about nothing', () => {
    for (const env of [
      { ...production, ISSUER_URL: 'https://issuer.example.com', PRIVATE_HTTP_HOSTS: 'issuer.example.com' },
      { ...production, ISSUER_URL: 'http://127.0.0.1:8000' },
      { ISSUER_URL: 'http://issuer:8000' },
    ])
      expect(read(env).plainHttpTrusted).toEqual([]);
  });

  it('the server names the trusted URLs in a warning at startup', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'private-http-'));
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: new Writable({
        write(chunk, _e, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    // 127.0.0.2 is loopback on the wire but not a loopback name, so only the setting lets it through.
    const config = read({ ...production, DATA_DIR: dir, ISSUER_URL: 'http://127.0.0.2:9', PRIVATE_HTTP_HOSTS: '127.0.0.2' });
    const db = openHrDatabase(config.dbPath);
    const app = await createResourceServer({ name: 'hr-server', title: 'HR', config, tools: createHrTools(db), logger });
    try {
      const warning = lines.map((l) => JSON.parse(l)).find((l) => String(l.msg).includes('PRIVATE_HTTP_HOSTS'));
      expect(warning).toMatchObject({
        level: 40,
        urls: [
          'ISSUER_URL=http://127.0.0.2:9',
          'JWKS_URL=http://127.0.0.2:9/.well-known/jwks.json',
          'REVOCATIONS_URL=http://127.0.0.2:9/revocations',
        ],
      });
    } finally {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
