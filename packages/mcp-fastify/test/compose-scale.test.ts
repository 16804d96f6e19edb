// deploy/compose.scale.yml and deploy/nginx against the apps they run: valid for docker-compose
// (skipped where it is missing), three replicas of every server on the shared PostgreSQL and Redis
// with only nginx published, nginx trusted by address, every variable one the apps read; and nginx's
// configuration accepted by a real nginx -t (skipped where nginx is missing), routing 2026-07-28
// requests round robin and the older eras by client address.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { missingService } from '../testing/services.js';

const root = join(import.meta.dirname, '..', '..', '..');
const file = join(root, 'deploy', 'compose.scale.yml');
type Service = {
  build?: { args?: Record<string, string> };
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  volumes?: string[];
  networks?: string[] | Record<string, { ipv4_address?: string }>;
};
const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, Service> };
const listed = new Set([...readFileSync(join(root, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
const APPS: Record<string, number> = {
  issuer: 8000,
  'hr-server': 8001,
  'project-server': 8002,
  'crm-server': 8003,
  'apikey-server': 8100,
  'jwt-server': 8100,
};

function hasDockerCompose(): boolean {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('deploy/compose.scale.yml', () => {
  it.skipIf(!hasDockerCompose())('is valid for docker-compose (skipped where it is not installed)', () => {
    const services = execFileSync('docker-compose', ['-f', file, 'config', '--services'], { cwd: root, encoding: 'utf8' })
      .trim()
      .split('\n')
      .sort();
    expect(services).toEqual([...Object.keys(APPS), 'keygen', 'nginx', 'postgres', 'redis'].sort());
    expect(execFileSync('docker-compose', ['-f', file, 'config', '--quiet'], { cwd: root, encoding: 'utf8' })).toBe('');
  });

  it.each(Object.entries(APPS))('%s: three replicas on the shared stores, readiness-checked, reached only through nginx', (name, port) => {
    const service = compose.services[name] as Service;
    expect(service.build?.args?.APP).toBe(name);
    expect(service.deploy?.replicas).toBe(3);
    expect(service.environment?.DATABASE_URL).toMatch(/^postgres:\/\/mcp:\$\{POSTGRES_PASSWORD:-[^}]+\}@postgres:5432\/mcp$/);
    expect(service.environment?.REDIS_URL).toBe('redis://redis:6379/0');
    expect(service.environment?.PORT).toBe(String(port));
    expect(service.ports).toBeUndefined();
    expect(service.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/ready`);
    const nginx = compose.services.nginx?.networks as Record<string, { ipv4_address?: string }>;
    expect(service.environment?.TRUST_PROXY).toBe(nginx.scale?.ipv4_address);
    for (const variable of Object.keys(service.environment ?? {})) expect(listed.has(variable), `${name}: ${variable}`).toBe(true);
  });

  it("shares what replicas must share: the issuer's keys, and jwt-server's JWT_SECRET from .env", () => {
    expect(compose.services.issuer?.volumes).toContain('keys:/keys');
    expect(compose.services.issuer?.environment?.MCP_AUTH_DIR).toBe('/keys');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own interpolation, as written in the file
    expect(compose.services['jwt-server']?.environment?.JWT_SECRET).toBe('${JWT_SECRET:-}');
  });

  it('nginx publishes the usual ports and mounts its two files, which exist', () => {
    const nginx = compose.services.nginx as Service;
    expect(nginx.ports).toEqual(['8000:8000', '8001:8001', '8002:8002', '8003:8003', '8100:8100', '8101:8101']);
    for (const mount of nginx.volumes ?? []) readFileSync(join(root, 'deploy', mount.split(':')[0] as string));
  });
});

describe.skipIf(missingService('nginx'))(`deploy/nginx/mcp-auth.conf ${missingService('nginx') ?? ''}`, () => {
  const conf = readFileSync(join(root, 'deploy', 'nginx', 'mcp-auth.conf'), 'utf8');

  it('is accepted by nginx -t (with the compose service names pointed at loopback)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nginx-conf-'));
    try {
      const local = conf
        .replace(/server (issuer|hr-server|project-server|crm-server|apikey-server|jwt-server):/g, 'server 127.0.0.1:')
        .replace(
          /^http \{/m,
          `pid ${dir}/nginx.pid;\nerror_log stderr;\nhttp {\n  client_body_temp_path ${dir};\n  proxy_temp_path ${dir};`,
        )
        .replace(/listen (\d+);/g, (_, p) => `listen 127.0.0.1:${Number(p) + 20000};`);
      writeFileSync(join(dir, 'nginx.conf'), local);
      writeFileSync(join(dir, 'mcp-proxy.conf'), readFileSync(join(root, 'deploy', 'nginx', 'mcp-proxy.conf')));
      const nginx = process.env.NGINX ?? 'nginx';
      execFileSync(nginx, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('routes 2026-07-28 round robin and the older eras by client address, for each MCP server; the issuer round robin', () => {
    expect(conf).toMatch(/map \$http_mcp_protocol_version \$era \{\s*"2026-07-28" modern;\s*default\s+legacy;\s*\}/);
    for (const name of ['hr', 'project', 'crm', 'apikey', 'jwt']) {
      expect(conf).toMatch(new RegExp(`upstream ${name}_modern \\{ server [\\w-]+:\\d+`));
      expect(conf).toMatch(new RegExp(`upstream ${name}_legacy \\{ hash \\$remote_addr consistent;`));
      expect(conf).toContain(`proxy_pass http://${name}_$era;`);
    }
    expect(conf).toMatch(/upstream issuer \{ server issuer:8000/);
  });
});
