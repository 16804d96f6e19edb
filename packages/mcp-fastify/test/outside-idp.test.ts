// Method 3's resource servers accept access tokens from the identity providers companies run, by
// configuration only: an OpenID Certified provider (panva's oidc-provider) started here, shaped like
// Keycloak (issuer /realms/<realm>, roles in realm_access.roles, aud from an audience mapper) and like
// Entra ID (issuer /<tenant>/v2.0, app roles in `roles`, aud api://...). The server finds the JWKS by
// OIDC discovery from ISSUER, maps the IdP's role names with ROLE_MAP, and checks iss and aud against
// the configured values: tokens reach the right tools through the official SDK client; another
// audience, another issuer and no role are refused with 401 / 401 / 403.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_POLICY_PATH, loadPolicy } from '@mcp-auth/auth';
import { type Database, openStore } from '@mcp-auth/database';
import { createHrTools, openHrData } from '@mcp-auth/tools';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createResourceServer, type Env, EnvReader, type FastifyInstance, readResourceServerConfig } from '../src/index.js';
import { freePort, type OutsideIdp, startOutsideIdp } from '../testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'outside-idp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const policy = loadPolicy(DEFAULT_POLICY_PATH);
const logs: string[] = [];
const logger = createLogger({
  level: 'info',
  destination: new Writable({
    write(chunk, _e, done) {
      logs.push(String(chunk));
      done();
    },
  }),
});

interface Running {
  app: FastifyInstance;
  db: Database<unknown>;
  url: string;
  close(): Promise<void>;
}
let serial = 0;
async function startHrServer(env: Env): Promise<Running> {
  const reader = new EnvReader({ DATA_DIR: join(dir, `hr-${++serial}`), PUBLIC_URL: 'http://127.0.0.1:1', ...env });
  const config = readResourceServerConfig(reader, { port: 0, service: 'hr-server' });
  reader.finish();
  const db = await openHrData(config.database);
  const app = await createResourceServer({ name: 'hr-server', title: 'HR', config, tools: createHrTools(db), logger });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    db,
    url,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

const hrTools = (() => {
  // Only the names: the tools are made, never called.
  const db = openStore<unknown>({ kind: 'sqlite', path: ':memory:' });
  const names = createHrTools(db).map((t) => t.name);
  void db.close();
  return names;
})();
const toolsOf = (role: string) => {
  const grant = policy.roles[role]?.access['hr-server'];
  return (grant?.tools === '*' ? hrTools : (grant?.tools ?? [])).slice().sort();
};

async function listTools(url: string, token: string): Promise<string[]> {
  const client = new Client({ name: 'outside-idp-test', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  try {
    return (await client.listTools()).tools.map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

/** A plain tools/list: the status and the challenge's error_description. */
async function refusal(url: string, token: string) {
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  const challenge = res.headers.get('www-authenticate') ?? '';
  return { status: res.status, description: /error_description="([^"]*)"/.exec(challenge)?.[1] };
}

const ready = async (url: string) => {
  const res = await fetch(`${url}/ready`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('Keycloak-shaped IdP (realm roles, audience mapper)', () => {
  let idp: OutsideIdp;
  let otherRealm: OutsideIdp;
  let hr: Running;
  beforeAll(async () => {
    const callers = [
      { id: 'alice', roles: ['hr-managers'] },
      { id: 'carol', roles: ['hr-staff'] },
      { id: 'nobody', roles: [] },
    ];
    // aud: the audience mapper's value for the MCP server's client, or Keycloak's usual `account`.
    const audiences = { 'urn:acme:hr-mcp': 'hr-mcp', 'urn:acme:account': 'account' };
    idp = await startOutsideIdp({ profile: 'keycloak', tenant: 'acme', callers, audiences });
    // Another realm signing with the same key: its tokens differ from acme's in `iss` alone.
    otherRealm = await startOutsideIdp({ profile: 'keycloak', tenant: 'other', callers, audiences, signingKey: idp.signingKey });
    hr = await startHrServer({
      ISSUER: idp.issuer,
      ISSUER_DISCOVERY: 'true',
      AUDIENCES: 'hr-mcp',
      ROLE_CLAIM: 'realm_access.roles',
      ROLE_MAP: 'hr-managers=Manager,hr-staff=Employee',
    });
  });
  afterAll(async () => {
    await hr?.close();
    await idp?.close();
    await otherRealm?.close();
  });

  it('is ready once the JWKS is found from the issuer metadata, with no revocation feed to wait for', async () => {
    await expect
      .poll(() => ready(hr.url), { timeout: 10_000 })
      .toMatchObject({
        status: 200,
        body: {
          status: 'ready',
          checks: {
            issuer_metadata: { ok: true, metadataUrl: `${idp.issuer}/.well-known/openid-configuration`, jwksUri: `${idp.issuer}/jwks` },
            issuer_keys: { ok: true, keys: 1 },
          },
        },
      });
    expect((await ready(hr.url)).body.checks).not.toHaveProperty('revocations');
  });

  it('names the outside issuer in its protected resource metadata (RFC 9728)', async () => {
    const prm = (await (await fetch(`${hr.url}/.well-known/oauth-protected-resource`)).json()) as Record<string, unknown>;
    expect(prm.authorization_servers).toEqual([idp.issuer]);
  });

  it('realm roles reach the tools the policy grants the mapped role, through the SDK client', async () => {
    expect(await listTools(hr.url, await idp.token('alice'))).toEqual(toolsOf('Manager'));
    expect(await listTools(hr.url, await idp.token('carol'))).toEqual(toolsOf('Employee'));
    expect(toolsOf('Employee').length).toBeLessThan(toolsOf('Manager').length);
  });

  it('refuses a token for another audience (401), another realm (401) and one with no mapped role (403)', async () => {
    expect(await refusal(hr.url, await idp.token('alice', 'urn:acme:account'))).toEqual({
      status: 401,
      description: 'Token audience not accepted',
    });
    expect(await refusal(hr.url, await otherRealm.token('alice'))).toEqual({ status: 401, description: 'Token issuer not accepted' });
    // Only default-roles-acme, which ROLE_MAP does not map.
    expect(await refusal(hr.url, await idp.token('nobody'))).toEqual({
      status: 403,
      description: 'Token has no realm_access.roles claim naming a role; access is denied',
    });
  });
});

describe('Entra-shaped IdP (app roles, api:// audience)', () => {
  const tenant = '8d4c6a52-0b4e-4f2e-9a1d-3c2b1a0f9e8d';
  let idp: OutsideIdp;
  let otherTenant: OutsideIdp;
  let hr: Running;
  beforeAll(async () => {
    const callers = [
      { id: 'alice', roles: ['HR.Manager'] },
      { id: 'carol', roles: ['HR.Employee'] },
      { id: 'nobody', roles: [] },
    ];
    const audiences = { 'api://hr-mcp': 'api://hr-mcp', 'api://payroll': 'api://payroll' };
    idp = await startOutsideIdp({ profile: 'entra', tenant, callers, audiences });
    otherTenant = await startOutsideIdp({ profile: 'entra', tenant: '00000000-0000-4000-8000-000000000000', callers, audiences });
    hr = await startHrServer({
      ISSUER: idp.issuer,
      ISSUER_DISCOVERY: 'true',
      AUDIENCES: 'api://hr-mcp',
      ROLE_CLAIM: 'roles',
      ROLE_MAP: '{"HR.Manager": "Manager", "HR.Employee": "Employee"}',
    });
  });
  afterAll(async () => {
    await hr?.close();
    await idp?.close();
    await otherTenant?.close();
  });

  it('app roles reach the tools the policy grants the mapped role, through the SDK client', async () => {
    expect(idp.issuer).toMatch(new RegExp(`/${tenant}/v2\\.0$`));
    expect(await listTools(hr.url, await idp.token('alice'))).toEqual(toolsOf('Manager'));
    expect(await listTools(hr.url, await idp.token('carol'))).toEqual(toolsOf('Employee'));
  });

  it('refuses a token for another app (401), from another tenant (401) and one without app roles (403)', async () => {
    expect(await refusal(hr.url, await idp.token('alice', 'api://payroll'))).toEqual({
      status: 401,
      description: 'Token audience not accepted',
    });
    // Another tenant signs with its own keys, which this server's JWKS does not hold.
    expect(await refusal(hr.url, await otherTenant.token('alice'))).toEqual({
      status: 401,
      description: 'Token signed by an unknown key (kid)',
    });
    expect(await refusal(hr.url, await idp.token('nobody'))).toEqual({
      status: 403,
      description: 'Token has no roles claim naming a role; access is denied',
    });
  });

  it('app-role tokens carry no scope: refused while the policy scopes are enforced, served by role with ENFORCE_TOOL_SCOPES=false', async () => {
    const noScope = await idp.token('alice', 'api://hr-mcp', '');
    expect(JSON.parse(Buffer.from(noScope.split('.')[1] as string, 'base64url').toString())).not.toHaveProperty('scope');
    expect((await refusal(hr.url, noScope)).status).toBe(403);
    const rolesOnly = await startHrServer({
      ISSUER: idp.issuer,
      ISSUER_DISCOVERY: 'true',
      AUDIENCES: 'api://hr-mcp',
      ROLE_CLAIM: 'roles',
      ROLE_MAP: '{"HR.Manager": "Manager", "HR.Employee": "Employee"}',
      ENFORCE_TOOL_SCOPES: 'false',
    });
    try {
      expect(await listTools(rolesOnly.url, noScope)).toEqual(toolsOf('Manager'));
      expect(await listTools(rolesOnly.url, await idp.token('carol', 'api://hr-mcp', ''))).toEqual(toolsOf('Employee'));
    } finally {
      await rolesOnly.close();
    }
  });
});

describe('discovery', () => {
  it('waits for an IdP that is down at startup: not ready, 503, then ready in the background', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}/realms/late`;
    const hr = await startHrServer({ ISSUER: issuer, ISSUER_DISCOVERY: 'true', AUDIENCES: 'hr-mcp', ROLE_CLAIM: 'realm_access.roles' });
    let idp: OutsideIdp | undefined;
    try {
      await expect
        .poll(() => ready(hr.url), { timeout: 10_000 })
        .toMatchObject({
          status: 503,
          body: { checks: { issuer_metadata: { ok: false, reason: expect.stringContaining('ECONNREFUSED') } } },
        });
      idp = await startOutsideIdp({
        profile: 'keycloak',
        tenant: 'late',
        port,
        callers: [{ id: 'alice', roles: ['Manager'] }],
        audiences: { 'urn:late:hr': 'hr-mcp' },
      });
      expect(idp.issuer).toBe(issuer);
      await expect.poll(() => ready(hr.url), { timeout: 15_000 }).toMatchObject({ status: 200 });
      // Without ROLE_MAP the role values are the policy's role names as they are.
      expect(await listTools(hr.url, await idp.token('alice'))).toEqual(toolsOf('Manager'));
    } finally {
      await hr.close();
      await idp?.close();
    }
  });

  it('refuses metadata whose issuer is not ISSUER exactly, and says so', async () => {
    const idp = await startOutsideIdp({
      profile: 'keycloak',
      tenant: 'acme',
      callers: [{ id: 'alice', roles: ['Manager'] }],
      audiences: { 'urn:acme:hr': 'hr-mcp' },
    });
    // A trailing slash is enough: iss is compared as a string (OIDC Discovery §4.3, RFC 8414 §3.3).
    const hr = await startHrServer({
      ISSUER: `${idp.issuer}/`,
      ISSUER_DISCOVERY: 'true',
      AUDIENCES: 'hr-mcp',
      ROLE_CLAIM: 'realm_access.roles',
    });
    try {
      await expect
        .poll(() => ready(hr.url), { timeout: 10_000 })
        .toMatchObject({
          status: 503,
          body: {
            checks: {
              issuer_metadata: {
                ok: false,
                reason: `refused: the metadata at ${idp.issuer}/.well-known/openid-configuration is for issuer "${idp.issuer}", not ISSUER=${idp.issuer}/; they must be identical (set ISSUER to the provider's issuer exactly as its metadata spells it)`,
              },
            },
          },
        });
      expect((await refusal(hr.url, await idp.token('alice'))).status).toBe(503);
      expect(logs.some((l) => l.includes('issuer metadata refused'))).toBe(true);
    } finally {
      await hr.close();
      await idp.close();
    }
  });
});
