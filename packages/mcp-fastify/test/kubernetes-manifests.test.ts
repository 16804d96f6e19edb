// deploy/kubernetes against the apps: every server is a Deployment of three replicas with readiness on
// /ready and liveness on /health at its port, reading DATABASE_URL and REDIS_URL (and jwt-server's
// JWT_SECRET) from Secrets that secrets.example.yaml defines, a Service on that port and a
// PodDisruptionBudget keeping two; every variable is one the apps read; the issuer's keys come from a
// Secret into a folder of its own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, whose fields the tests below check one by one
type Yaml = any;

const root = join(import.meta.dirname, '..', '..', '..');
const read = (name: string) =>
  parseAllDocuments(readFileSync(join(root, 'deploy', 'kubernetes', name), 'utf8'))
    .map((d) => d.toJS() as Yaml)
    .filter(Boolean);
const docs = read('servers.yaml');
const secrets = read('secrets.example.yaml');
const listed = new Set([...readFileSync(join(root, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
const SERVERS: Record<string, number> = {
  issuer: 8000,
  'hr-server': 8001,
  'project-server': 8002,
  'crm-server': 8003,
  'apikey-server': 8100,
  'jwt-server': 8100,
};
const of = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);

describe('deploy/kubernetes', () => {
  it('holds a Deployment, a Service and a PodDisruptionBudget for every server, and nothing else', () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual(
      Object.keys(SERVERS)
        .flatMap((n) => [`Deployment/${n}`, `PodDisruptionBudget/${n}`, `Service/${n}`])
        .sort(),
    );
  });

  it.each(Object.entries(SERVERS))('%s: three replicas, probes, secrets, a Service and a budget that fit together', (name, port) => {
    const deployment = of('Deployment', name) as Yaml;
    expect(deployment.spec.replicas).toBe(3);
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
    expect(labels['app.kubernetes.io/name']).toBe(name);
    const [container] = deployment.spec.template.spec.containers;
    expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const env = Object.fromEntries((container.env as Array<{ name: string; value?: string; valueFrom?: Yaml }>).map((e) => [e.name, e]));
    expect(env.PORT?.value).toBe(String(port));
    expect(env.NODE_ENV?.value).toBe('production');
    for (const store of ['DATABASE_URL', 'REDIS_URL'])
      expect(env[store]?.valueFrom?.secretKeyRef).toEqual({ name: 'mcp-auth-stores', key: store });
    for (const variable of Object.keys(env)) expect(listed.has(variable), `${name}: ${variable}`).toBe(true);
    // No secret is written into a manifest: whatever looks like one comes from a Secret.
    for (const [variable, e] of Object.entries(env))
      if (/SECRET|PASSWORD|_KEY$|DATABASE_URL|REDIS_URL/.test(variable)) expect(e.value, variable).toBeUndefined();
    const service = of('Service', name) as Yaml;
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': name });
    expect(service.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
    const budget = of('PodDisruptionBudget', name) as Yaml;
    expect(budget.spec.minAvailable).toBe(2);
    expect(budget.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
  });

  it("jwt-server's secret and the issuer's keys come from Secrets the example defines, with the keys it needs", () => {
    const keysOf = (name: string) =>
      Object.keys(secrets.find((s) => s.kind === 'Secret' && s.metadata.name === name)?.stringData ?? {}).sort();
    expect(keysOf('mcp-auth-stores')).toEqual(['DATABASE_URL', 'REDIS_URL']);
    expect(keysOf('jwt-server')).toEqual(['JWT_SECRET']);
    expect(keysOf('issuer-keys')).toEqual(['cookie-secret', 'private.pem', 'public.pem']);
    const jwt = (of('Deployment', 'jwt-server') as Yaml).spec.template.spec.containers[0];
    expect(jwt.env.find((e: { name: string }) => e.name === 'JWT_SECRET').valueFrom.secretKeyRef).toEqual({
      name: 'jwt-server',
      key: 'JWT_SECRET',
    });
    const issuer = (of('Deployment', 'issuer') as Yaml).spec.template.spec;
    expect(issuer.volumes.find((v: { name: string }) => v.name === 'keys-secret').secret.secretName).toBe('issuer-keys');
    // Copied into the pod's own folder with mode 600: the issuer refuses a private key others can read.
    expect(issuer.initContainers[0].command.join(' ')).toContain('chmod 600 /keys/*');
    expect(issuer.containers[0].env.find((e: { name: string }) => e.name === 'MCP_AUTH_DIR').value).toBe('/keys');
  });
});
