// docker-compose.yml against the apps it runs: validated by `docker-compose config` (Debian's
// docker-compose; .ci/run installs it, and this test is skipped with a message where it is missing),
// and checked for what compose cannot know: each service's app, port, health check and variables.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      build?: { args?: Record<string, string> };
      environment?: Record<string, string>;
      ports?: string[];
      healthcheck?: { test: string[] };
      depends_on?: Record<string, { condition: string }>;
      profiles?: string[];
      volumes?: string[];
      entrypoint?: string[];
    }
  >;
  volumes: Record<string, unknown>;
};
const listed = new Set([...readFileSync(join(root, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

function hasDockerCompose(): boolean {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const SERVERS: Record<string, { port: number; profile?: string }> = {
  issuer: { port: 8000 },
  'hr-server': { port: 8001 },
  'project-server': { port: 8002 },
  'crm-server': { port: 8003 },
  'apikey-server': { port: 8100, profile: 'apikey' },
  'jwt-server': { port: 8100, profile: 'jwt' },
};

describe('docker-compose.yml', () => {
  it.skipIf(!hasDockerCompose())('is valid for docker-compose, in every profile (skipped where docker-compose is not installed)', () => {
    const services = execFileSync(
      'docker-compose',
      ['--profile', 'apikey', '--profile', 'jwt', '--profile', 'agent', 'config', '--services'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, COMPOSE_PROFILES: '' } },
    )
      .trim()
      .split('\n')
      .sort();
    expect(services).toEqual(['agent', 'apikey-server', 'crm-server', 'hr-server', 'issuer', 'jwt-server', 'keygen', 'project-server']);
    // The full resolved file must parse too (interpolation of every ${VAR} with its default).
    expect(execFileSync('docker-compose', ['config', '--quiet'], { cwd: root, encoding: 'utf8' })).toBe('');
  });

  it.each(Object.entries(SERVERS))(
    '%s builds its own app, listens on its port, and is readiness-checked there',
    (name, { port, profile }) => {
      const service = compose.services[name];
      expect(service, name).toBeDefined();
      expect(service?.build?.args?.APP).toBe(name);
      expect(service?.build?.args?.PORT).toBe(String(port));
      expect(service?.environment?.PORT).toBe(String(port));
      expect(service?.environment?.HOST).toBe('0.0.0.0');
      expect(service?.ports).toEqual([`${port}:${port}`]);
      // /ready, not /health: depends_on service_healthy must wait until the server can serve.
      expect(service?.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/ready`);
      expect(service?.profiles).toEqual(profile ? [profile] : undefined);
      expect(service?.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
    },
  );

  it('passes only variables the apps read (every one is in .env.example)', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const variable of Object.keys(service.environment ?? {})) expect(listed.has(variable), `${name}: ${variable}`).toBe(true);
    }
  });

  it('takes every setting .env.example documents from .env, except where the containers and their network fix it', () => {
    // Literal on purpose: the image's layout (where it listens, keeps data and keys) and the
    // services' addresses on the compose network. A .env written for `pnpm dev` (HOST=127.0.0.1,
    // ISSUER_URL=http://127.0.0.1:8000) must not move them.
    const fixed = new Set(['HOST', 'PORT', 'DATA_DIR', 'MCP_AUTH_DIR']);
    const network: Record<string, string[]> = {
      'hr-server': ['JWKS_URL', 'PRIVATE_HTTP_HOSTS'],
      'project-server': ['JWKS_URL', 'PRIVATE_HTTP_HOSTS'],
      'crm-server': ['JWKS_URL', 'PRIVATE_HTTP_HOSTS'],
      agent: ['ISSUER_URL', 'HR_SERVER_URL', 'PROJECT_SERVER_URL', 'CRM_SERVER_URL'],
    };
    const hardCoded: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (!listed.has(variable) || fixed.has(variable) || network[name]?.includes(variable)) continue;
        if (!/^\$\{[A-Z][A-Z0-9_]*(:?-[^}]*)?\}$/.test(String(value))) hardCoded.push(`${name}: ${variable}=${value}`);
      }
    }
    expect(hardCoded).toEqual([]);
    // In particular the mode: NODE_ENV=production in .env reaches every server.
    for (const name of Object.keys(SERVERS))
      expect(compose.services[name]?.environment?.NODE_ENV, name).toMatch(/^\$\{NODE_ENV:-development\}$/);
  });

  it('starts things in order: keys before the issuer, the issuer before the servers, servers before the agent', () => {
    expect(compose.services.keygen?.entrypoint).toEqual(['node', 'dist/keys-cli.js', 'generate', '--if-missing']);
    expect(compose.services.issuer?.depends_on).toEqual({ keygen: { condition: 'service_completed_successfully' } });
    for (const s of ['hr-server', 'project-server', 'crm-server'])
      expect(compose.services[s]?.depends_on).toEqual({ issuer: { condition: 'service_healthy' } });
    expect(Object.values(compose.services.agent?.depends_on ?? {}).every((d) => d.condition === 'service_healthy')).toBe(true);
    expect(compose.services.agent?.volumes).toEqual(['keys:/keys:ro']);
    expect(Object.keys(compose.volumes).sort()).toEqual([
      'apikey-data',
      'crm-data',
      'hr-data',
      'issuer-data',
      'jwt-data',
      'keys',
      'project-data',
    ]);
  });
});
