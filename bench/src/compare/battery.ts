/**
 * The attack battery: the same questions put to each method's running server, with credentials this
 * run controls. A verdict is "blocked" when the server refused as it should (401/403/404), "ACCEPTED"
 * when it let the request through, and "n/a" when the attack does not apply to the method (which is
 * itself worth knowing: API keys have no audience, HS256 has no key to confuse).
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRs256TokenIssuer, loadKeySet } from '@mcp-auth/auth';
import { createSigner } from 'fast-jwt';
import type { Deployment } from '../deploy/deployment.js';
import { command } from '../deploy/launch.js';

export const ATTACKS = {
  missing: 'no credentials',
  wrong: 'wrong credentials',
  expired: 'expired credentials',
  revoked: 'revoked credentials',
  tampered: 'tampered token or key',
  alg_none: 'alg: none',
  key_confusion: 'RS256 -> HS256 key confusion',
  wrong_audience: 'token for another audience',
  session_replay: "another principal's session id",
  query_string: 'credential in the query string',
  role_escalation: 'role escalation',
} as const;
export type Attack = keyof typeof ATTACKS;

export interface Verdict {
  status: 'blocked' | 'ACCEPTED' | 'n/a';
  detail: string;
}

export interface Capabilities {
  expiry: string;
  revocation: string;
  perToolPermissions: string;
  rotation: string;
  setup: string;
}

export interface MethodResult {
  id: 'apikey' | 'jwt' | 'rbac';
  label: string;
  verdicts: Record<Attack, Verdict>;
  capabilities: Capabilities;
}

const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export async function status(url: string, headers: Record<string, string>, body = LIST): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { ...HEADERS, ...headers }, body });
  await res.arrayBuffer();
  return res.status;
}

/** blocked when the answer is one of `refusals`, ACCEPTED on 2xx, otherwise reported as it is. */
export function verdict(code: number, refusals: number[] = [401]): Verdict {
  if (refusals.includes(code)) return { status: 'blocked', detail: `HTTP ${code}` };
  if (code >= 200 && code < 300) return { status: 'ACCEPTED', detail: `HTTP ${code}` };
  return { status: 'blocked', detail: `HTTP ${code} (refused, though not with the expected status)` };
}

const na = (detail: string): Verdict => ({ status: 'n/a', detail });

async function openSession(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, ...headers },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'compare', version: '1' } },
    }),
  });
  await res.arrayBuffer();
  return res.headers.get('mcp-session-id') ?? '';
}

const editPayload = (token: string, change: Record<string, unknown>) => {
  const [h, p, s] = token.split('.');
  const payload = { ...JSON.parse(Buffer.from(p as string, 'base64url').toString()), ...change };
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
};
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function clientToken(tokenUrl: string, id: string, secret: string): Promise<string> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token from ${tokenUrl}: ${res.status}`);
  return body.access_token;
}

export async function apiKeyBattery(d: Deployment): Promise<MethodResult> {
  const url = `${d.apikey.server.url}/mcp`;
  const key = d.apikey.key;
  const keys = async (...args: string[]) =>
    (await command('apikey-server', 'keys-cli.js', args, d.apikey.env)).trim().split('\n').at(-1) as string;
  const other = await keys('create', '--name', 'compare-other');
  const expiring = await keys('create', '--name', 'compare-expired', '--ttl', '1s');
  const revoked = await keys('create', '--name', 'compare-revoked');
  await keys('revoke', revoked.slice(5, 21));
  await sleep(1100);
  const sid = await openSession(url, { 'x-api-key': key });
  const rotatedOld = await keys('create', '--name', 'compare-rotate');
  const rotatedNew = await keys('rotate', rotatedOld.slice(5, 21), '--overlap', '1h');
  const rotationWorks =
    (await status(url, { 'x-api-key': rotatedOld })) === 200 && (await status(url, { 'x-api-key': rotatedNew })) === 200;
  return {
    id: 'apikey',
    label: 'Method 1: API keys',
    verdicts: {
      missing: verdict(await status(url, {})),
      wrong: verdict(await status(url, { 'x-api-key': `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}` })),
      expired: verdict(await status(url, { 'x-api-key': expiring })),
      revoked: verdict(await status(url, { 'x-api-key': revoked })),
      tampered: verdict(await status(url, { 'x-api-key': `${key.slice(0, 22)}${other.slice(22)}` })),
      alg_none: na('no tokens: keys are opaque'),
      key_confusion: na('no tokens: keys are opaque'),
      wrong_audience: na('a key has no audience: it works wherever it is stored'),
      session_replay: verdict(await status(url, { 'x-api-key': other, 'mcp-session-id': sid }), [404]),
      query_string: verdict(await status(`${url}?api_key=${encodeURIComponent(key)}&x-api-key=${encodeURIComponent(key)}`, {})),
      role_escalation: na('no roles: every valid key reaches every tool'),
    },
    capabilities: {
      expiry: 'yes, per key (--ttl)',
      revocation: 'yes, immediate (keys revoke)',
      perToolPermissions: 'no',
      rotation: rotationWorks ? 'yes: keys rotate, old key valid for the overlap (checked)' : 'FAILED the check',
      setup: 'one command per key; the server stores hashes in SQLite',
    },
  };
}

export async function jwtBattery(d: Deployment): Promise<MethodResult> {
  const base = d.jwt.server.url;
  const url = `${base}/mcp`;
  const token = () => clientToken(`${base}/token`, d.jwt.clientId, d.jwt.clientSecret);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: base,
    sub: d.jwt.clientId,
    aud: `${base}/`,
    iat: now(),
    exp: now() + 600,
    jti: crypto.randomUUID(),
    scope: 'mcp',
    ...extra,
  });
  const forge = (payload: Record<string, unknown>, secret = d.jwt.secret) =>
    createSigner({ key: secret, algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt' } })(payload);
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const revoked = await token();
  await fetch(`${base}/revoke`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${d.jwt.clientId}:${d.jwt.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ token: revoked }),
  });
  const sid = await openSession(url, bearer(await token()));
  const rotated = (await command('jwt-server', 'clients-cli.js', ['rotate', d.jwt.clientId, '--overlap', '1h'], d.jwt.env))
    .trim()
    .split('\n')
    .at(-1) as string;
  const rotationWorks = Boolean(await clientToken(`${base}/token`, d.jwt.clientId, rotated)) && Boolean(await token());
  return {
    id: 'jwt',
    label: 'Method 2: HS256 JWT from /token',
    verdicts: {
      missing: verdict(await status(url, {})),
      wrong: verdict(await status(url, bearer(forge(claims(), 'another-secret-another-secret-another-secret')))),
      expired: verdict(await status(url, bearer(forge(claims({ iat: now() - 7200, exp: now() - 3600 }))))),
      revoked: verdict(await status(url, bearer(revoked))),
      tampered: verdict(await status(url, bearer(editPayload(await token(), { sub: 'admin' })))),
      alg_none: verdict(await status(url, bearer(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims())}.`))),
      key_confusion: na('one symmetric algorithm and key: nothing to confuse'),
      wrong_audience: verdict(await status(url, bearer(forge(claims({ aud: 'https://another-server.example/' }))))),
      session_replay: verdict(await status(url, { ...bearer(forge(claims({ sub: 'another-client' }))), 'mcp-session-id': sid }), [404]),
      query_string: verdict(await status(`${url}?access_token=${await token()}`, {})),
      role_escalation: na('no roles: the mcp scope grants every tool'),
    },
    capabilities: {
      expiry: 'yes, exp (60 min)',
      revocation: 'yes, RFC 7009 /revoke (jti deny list)',
      perToolPermissions: 'no (one scope for the whole server)',
      rotation: rotationWorks ? 'client secrets: yes, with overlap (checked); signing secret: restart, all tokens end' : 'FAILED the check',
      setup: 'a 32-byte secret in the environment; clients registered with one command',
    },
  };
}

export async function rbacBattery(d: Deployment): Promise<MethodResult> {
  const { issuer, hr, crm, keyDir, secrets } = d.rbac;
  const url = `${hr.url}/mcp`;
  const token = (who: 'alice' | 'bob' | 'carol') => clientToken(`${issuer.url}/token`, who, secrets[who]);
  const keys = loadKeySet(keyDir);
  const sign = async (claims: Record<string, unknown>, options: { nowMs?: number; ttl?: number } = {}) => {
    const { token } = await createRs256TokenIssuer({
      keys: { current: () => keys.signing },
      issuer: 'https://dev-issuer.com',
      ttlSeconds: options.ttl ?? 600,
      now: () => options.nowMs ?? Date.now(),
    }).issue({
      subject: String(claims.sub ?? 'mallory'),
      audience: String(claims.aud ?? 'my-mcp-server'),
      scope: 'mcp',
      claims: { job_role: 'Manager', ...claims },
    });
    return token;
  };
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgedByAttacker = createSigner({ key: attacker, algorithm: 'RS256', header: { alg: 'RS256', kid: keys.signing.kid } })({
    iss: 'https://dev-issuer.com',
    sub: 'mallory',
    aud: 'my-mcp-server',
    iat: now(),
    exp: now() + 600,
    job_role: 'Manager',
  });
  const publicPem = readFileSync(join(keyDir, 'public.pem'), 'utf8');
  const confused = createSigner({ key: publicPem, algorithm: 'HS256', header: { alg: 'HS256', kid: keys.signing.kid } })({
    iss: 'https://dev-issuer.com',
    sub: 'mallory',
    aud: 'my-mcp-server',
    iat: now(),
    exp: now() + 600,
    job_role: 'Manager',
  });
  const sid = await openSession(url, bearer(await token('alice')));
  const carol = await token('carol');
  const crmAsEmployee = await status(`${crm.url}/mcp`, bearer(carol));
  const approveAsEmployee = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, ...bearer(carol) },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'approve_leave_request', arguments: { request_id: 'LR-0005' } },
    }),
  });
  const approveBody = (await approveAsEmployee.json()) as { error?: unknown };
  const escalation: Verdict =
    crmAsEmployee === 403 && approveBody.error
      ? { status: 'blocked', detail: 'Employee: crm-server 403, approve_leave_request refused' }
      : { status: 'ACCEPTED', detail: `crm-server ${crmAsEmployee}, approve ${approveBody.error ? 'refused' : 'ran'}` };

  const verdicts: Record<Attack, Verdict> = {
    missing: verdict(await status(url, {})),
    wrong: verdict(await status(url, bearer(forgedByAttacker))),
    expired: verdict(await status(url, bearer(await sign({ sub: 'alice' }, { nowMs: Date.now() - 7_200_000, ttl: 60 })))),
    revoked: na('no revocation: tokens live until exp (keep the TTL short)'),
    tampered: verdict(await status(url, bearer(editPayload(carol, { job_role: 'Manager' })))),
    alg_none: verdict(
      await status(
        url,
        bearer(
          `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'https://dev-issuer.com', sub: 'x', aud: 'my-mcp-server', exp: now() + 600, job_role: 'Manager' })}.`,
        ),
      ),
    ),
    key_confusion: verdict(await status(url, bearer(confused))),
    wrong_audience: verdict(await status(url, bearer(await sign({ sub: 'alice', aud: 'some-other-api' })))),
    session_replay: verdict(await status(url, { ...bearer(await token('bob')), 'mcp-session-id': sid }), [404]),
    query_string: verdict(await status(`${url}?access_token=${await token('alice')}`, {})),
    role_escalation: escalation,
  };

  // Rotation last: it changes the issuer's signing key for everything after it.
  const oldToken = await token('alice');
  await command('issuer', 'keys-cli.js', ['rotate', '--publish-for', '2h'], d.rbac.issuerEnv);
  await sleep(1500);
  const newToken = await token('alice');
  const newKid = JSON.parse(Buffer.from(newToken.split('.')[0] as string, 'base64url').toString()).kid;
  const rotationWorks =
    newKid !== keys.signing.kid && (await status(url, bearer(oldToken))) === 200 && (await status(url, bearer(newToken))) === 200;
  return {
    id: 'rbac',
    label: 'Method 3: RS256 JWT + RBAC',
    verdicts,
    capabilities: {
      expiry: 'yes, exp (60 min)',
      revocation: 'no (short-lived tokens; revoke the client at the issuer)',
      perToolPermissions: 'yes: per role, per server and per tool, with field and row grants',
      rotation: rotationWorks ? 'yes: keys:rotate, live, old tokens valid until expiry (checked)' : 'FAILED the check',
      setup: 'an issuer with an RSA key pair; identities with roles; a policy file; servers fetch the JWKS',
    },
  };
}
