// The https rule for the issuer URLs of method 3's resource servers. Production must be possible
// inside a compose network, where the issuer is http://issuer:8000: a host named in
// PRIVATE_HTTP_HOSTS may be reached over plain http (with a warning at startup); any other plain
// http URL is still refused. (NODE_ENV=production in .env once put every resource server in a
// restart loop: `ISSUER_URL="http://issuer:8000" must use https`.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createHrTools, openHrData } from '@mcp-auth/tools';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, createLogger, createResourceServer, type Env, EnvReader, readResourceServerConfig } from '../src/index.js';

function read(env: Env) {
  const reader = new EnvReader(env);
  const config = readResourceServerConfig(reader, { port: 8001, service: 'hr-server' });
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
    const db = await openHrData(config.database);
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
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ISSUER', () => {
  it('defaults to ISSUER_URL, so the expected iss is the URL the issuer is reached at (RFC 8414 §3.3)', () => {
    expect(read({}).issuer).toBe('http://127.0.0.1:8000');
    expect(read({ ISSUER_URL: 'https://issuer.example.com/' }).issuer).toBe('https://issuer.example.com');
    // The article's value stays one setting away.
    expect(read({ ISSUER: 'https://dev-issuer.com' })).toMatchObject({
      issuer: 'https://dev-issuer.com',
      issuerUrl: 'http://127.0.0.1:8000',
    });
  });

  it('in compose, matches the issuer service, whose iss is its PUBLIC_URL', () => {
    for (const dotenv of [{}, { ISSUER_URL: 'https://auth.example.com' }]) {
      const issuerService = composeEnvironment('issuer', dotenv);
      for (const service of ['hr-server', 'project-server', 'crm-server'])
        expect(read(composeEnvironment(service, dotenv)).issuer, service).toBe(issuerService.ISSUER || issuerService.PUBLIC_URL);
    }
    const set = { ISSUER: 'https://dev-issuer.com' };
    expect(composeEnvironment('issuer', set).ISSUER).toBe('https://dev-issuer.com');
    expect(read(composeEnvironment('hr-server', set)).issuer).toBe('https://dev-issuer.com');
    expect(composeEnvironment('agent', {}).ISSUER).toBe(composeEnvironment('issuer', {}).PUBLIC_URL);
  });
});

describe('an outside identity provider (ISSUER_DISCOVERY)', () => {
  const keycloak = { ISSUER: 'https://sso.example.com/realms/acme', ISSUER_DISCOVERY: 'true' };

  it('finds the keys from the issuer metadata, polls no revocation feed, and names the issuer to clients', () => {
    const config = read(keycloak);
    expect(config.keys).toEqual({ discoverFrom: 'https://sso.example.com/realms/acme', cooldownMs: 10_000 });
    expect(config.revocations).toBeUndefined();
    expect(config.authorizationServers).toEqual(['https://sso.example.com/realms/acme']);
    expect(config.issuer).toBe('https://sso.example.com/realms/acme');
  });

  it('keeps the issuer exactly as written (Auth0 issuers end in a slash), and takes JWKS_URL and REVOCATIONS_URL when named', () => {
    expect(read({ ISSUER: 'https://tenant.auth0.com/', ISSUER_DISCOVERY: 'true' }).issuer).toBe('https://tenant.auth0.com/');
    const config = read({ ...keycloak, JWKS_URL: 'https://sso.example.com/certs', REVOCATIONS_URL: 'https://sso.example.com/revoked' });
    expect(config.keys).toMatchObject({ jwksUrl: 'https://sso.example.com/certs' });
    expect(config.revocations?.url).toBe('https://sso.example.com/revoked');
  });

  it('refuses an ISSUER that is not a URL, plain http in production, and an ISSUER_URL that contradicts it', () => {
    expect(problems({ ISSUER: 'acme', ISSUER_DISCOVERY: 'true' })).toContain('ISSUER="acme" is not an absolute URL');
    expect(problems({ ISSUER: 'http://sso.example.com/realms/acme', ISSUER_DISCOVERY: 'true', NODE_ENV: 'production' })).toContain(
      'ISSUER="http://sso.example.com/realms/acme" must use https in production',
    );
    expect(problems({ ...keycloak, ISSUER_URL: 'https://other.example.com' })).toContain(
      'ISSUER_URL="https://other.example.com" differs from ISSUER="https://sso.example.com/realms/acme": with ISSUER_DISCOVERY=true',
    );
    expect(problems({ ...keycloak, ISSUER_DISCOVERY: 'maybe' })).toContain('ISSUER_DISCOVERY="maybe" must be true or false');
  });
});

describe('AUDIENCES, ROLE_CLAIM, ROLE_MAP', () => {
  it('AUDIENCES replaces the shared audience; the server still accepts its own URL and nothing else', () => {
    expect(read({}).audiences).toEqual(['my-mcp-server', 'http://127.0.0.1:8001/']);
    expect(read({ AUDIENCES: 'api://hr-mcp, 6f1c2d3e-0000-4000-8000-000000000001' }).audiences).toEqual([
      'api://hr-mcp',
      '6f1c2d3e-0000-4000-8000-000000000001',
      'http://127.0.0.1:8001/',
    ]);
  });

  it('reads ROLE_MAP in either form and names a malformed one', () => {
    expect([...(read({ ROLE_MAP: 'hr-managers=Manager, hr-staff=Employee' }).roleMap ?? [])]).toEqual([
      ['hr-managers', 'Manager'],
      ['hr-staff', 'Employee'],
    ]);
    expect(read({ ROLE_MAP: '{"CN=HR,OU=Groups": "Manager"}' }).roleMap?.get('CN=HR,OU=Groups')).toBe('Manager');
    expect(problems({ ROLE_MAP: 'hr-managers' })).toContain('ROLE_MAP "hr-managers" is not idp-value=PolicyRole');
    expect(problems({ ROLE_MAP: '{"a": 1}' })).toContain('ROLE_MAP "a" must map to a role name');
    expect(problems({ ROLE_MAP: 'a=Manager,a=Employee' })).toContain('ROLE_MAP "a" is mapped twice (to Manager and Employee)');
  });

  it('a ROLE_MAP onto a role the policy lacks stops the server at startup, naming it and the roles there are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'role-map-'));
    const config = read({ DATA_DIR: dir, PUBLIC_KEY_FILE: '', ROLE_MAP: 'hr-managers=Manager,hr-staff=Staff' });
    const db = await openHrData(config.database);
    try {
      const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
      await expect(createResourceServer({ name: 'hr-server', title: 'HR', config, tools: createHrTools(db), logger })).rejects.toThrow(
        new ConfigError([
          `ROLE_MAP maps "hr-staff" to Staff, which is not a role of the RBAC policy ${config.policyFile} (its roles: Manager, AssistantManager, Employee)`,
        ]),
      );
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
