/**
 * The attack battery: the same questions put to each method's running server, with the credentials
 * its target gives (see targets.ts). A verdict is "blocked" when the server refused as it should
 * (401/403/404), "ACCEPTED" when it let the request through, "n/a" when the attack does not apply to
 * the method (itself worth knowing: API keys have no audience, HS256 has no key to confuse), and
 * "not run" when the target does not give what the attack needs (a run on embedded defaults gives all).
 */
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRs256TokenIssuer, loadKeySet } from '@mcp-auth/auth';
import { createSigner } from 'fast-jwt';
import { openSession } from '../load.js';
import { clientsReached } from './clients.js';
import { erasReached } from './eras.js';
import type { ApiKeyTarget, JwtTarget, RbacTarget } from './targets.js';

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
  scope_escalation: "tool outside the token's scopes",
} as const;
export type Attack = keyof typeof ATTACKS;

export interface Verdict {
  status: 'blocked' | 'ACCEPTED' | 'n/a' | 'not run';
  detail: string;
}

export interface Capabilities {
  /** The MCP revisions the server answers with this method's credential (eras.ts). */
  eras: string;
  /** Which kinds of MCP client can use the method (clients.ts). */
  clients: string;
  expiry: string;
  revocation: string;
  perToolPermissions: string;
  rotation: string;
  setup: string;
}

export type MethodId = 'apikey' | 'jwt' | 'rbac';

export interface MethodResult {
  id: MethodId;
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
const notRun = (needs: string): Verdict => ({ status: 'not run', detail: `needs ${needs} in the targets file` });

/** The id of a session opened with `headers` (load.ts opens it; it throws when none is given). */
async function sessionId(url: string, headers: Record<string, string>): Promise<string> {
  return (await openSession(url, { ...HEADERS, ...headers }))['mcp-session-id'] as string;
}

const editPayload = (token: string, change: Record<string, unknown>) => {
  const [h, p, s] = token.split('.');
  const payload = { ...JSON.parse(Buffer.from(p as string, 'base64url').toString()), ...change };
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
};
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A JWT's header (0) or claims (1), unverified. */
export const decode = (token: string, part: 0 | 1) =>
  JSON.parse(Buffer.from(token.split('.')[part] as string, 'base64url').toString()) as Record<string, unknown>;
const lifetime = (claims: Record<string, unknown>) => `yes, exp (${Math.round((Number(claims.exp) - Number(claims.iat)) / 60)} min)`;
const now = () => Math.floor(Date.now() / 1000);

type Client = { clientId: string; clientSecret: string };
const basic = (c: Client) => `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;

export async function clientToken(tokenUrl: string, client: Client): Promise<string> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization: basic(client) },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (!body.access_token) {
    throw new Error(
      `${tokenUrl} gave ${client.clientId} no token (HTTP ${res.status}${body.error ? `, ${body.error}` : ''}): check its credentials`,
    );
  }
  return body.access_token;
}

export async function apiKeyBattery(t: ApiKeyTarget): Promise<MethodResult> {
  const url = `${t.url}/mcp`;
  const asKey = (key: string) => ({ 'x-api-key': key });
  // A well-formed key nobody issued, and the real key id with one character of its secret changed.
  const unknownKey = `mcpk_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const tamperedKey = `${t.key.slice(0, -1)}${t.key.endsWith('A') ? 'B' : 'A'}`;
  const sid = t.otherKey ? await sessionId(url, asKey(t.key)) : '';
  const verdicts: Record<Attack, Verdict> = {
    missing: verdict(await status(url, {})),
    wrong: verdict(await status(url, asKey(unknownKey))),
    expired: t.expiredKey ? verdict(await status(url, asKey(t.expiredKey))) : notRun('apikey.expiredKey'),
    revoked: t.revokedKey ? verdict(await status(url, asKey(t.revokedKey))) : notRun('apikey.revokedKey'),
    tampered: verdict(await status(url, asKey(tamperedKey))),
    alg_none: na('no tokens: keys are opaque'),
    key_confusion: na('no tokens: keys are opaque'),
    wrong_audience: na('a key has no audience: it works wherever it is stored'),
    session_replay: t.otherKey
      ? verdict(await status(url, { ...asKey(t.otherKey), 'mcp-session-id': sid }), [404])
      : notRun('apikey.otherKey'),
    query_string: verdict(await status(`${url}?api_key=${encodeURIComponent(t.key)}&x-api-key=${encodeURIComponent(t.key)}`, {})),
    role_escalation: na('no roles: every valid key reaches every tool'),
    scope_escalation: na('no scopes: every valid key reaches every tool'),
  };
  return {
    id: 'apikey',
    label: 'Method 1: API keys',
    verdicts,
    capabilities: {
      eras: await erasReached(t.url, asKey(t.key)),
      clients: await clientsReached(t.url),
      expiry: 'yes, per key (--ttl)',
      revocation: 'yes, immediate (keys revoke)',
      perToolPermissions: 'no',
      rotation: await rotation(t.admin, 'yes: keys rotate, old key valid for the overlap'),
      setup: 'one command per key; the server stores hashes in SQLite',
    },
  };
}

/** The rotation row: checked when this run owns the server, described otherwise. */
async function rotation(admin: ApiKeyTarget['admin'], what: string): Promise<string> {
  if (!admin) return `${what} (not checked: the run does not own this server)`;
  return (await admin.checkRotation()) ? `${what} (checked)` : 'FAILED the check';
}

export async function jwtBattery(t: JwtTarget): Promise<MethodResult> {
  const url = `${t.url}/mcp`;
  const token = (client: Client = t.client) => clientToken(`${t.url}/token`, client);
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
  // Forged tokens copy a real token's issuer, audience and subject, so only the attacked part differs.
  const real = decode(await token(), 1);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: real.iss,
    sub: real.sub,
    aud: real.aud,
    iat: now(),
    exp: now() + 600,
    jti: crypto.randomUUID(),
    scope: real.scope,
    ...extra,
  });
  const forge = (payload: Record<string, unknown>, secret: string) =>
    createSigner({ key: secret, algorithm: 'HS256', header: { alg: 'HS256', typ: 'at+jwt' } })(payload);
  const secret = t.signingSecret;
  const revoked = await token();
  const revocation = await fetch(`${t.url}/revoke`, {
    method: 'POST',
    headers: { authorization: basic(t.client) },
    body: new URLSearchParams({ token: revoked }),
  });
  await revocation.arrayBuffer();
  const sid = await sessionId(url, bearer(await token()));
  const otherPrincipal = secret ? forge(claims({ sub: 'another-client' }), secret) : t.otherClient ? await token(t.otherClient) : undefined;
  const verdicts: Record<Attack, Verdict> = {
    missing: verdict(await status(url, {})),
    wrong: verdict(await status(url, bearer(forge(claims(), randomBytes(32).toString('base64url'))))),
    expired: secret
      ? verdict(await status(url, bearer(forge(claims({ iat: now() - 7200, exp: now() - 3600 }), secret))))
      : notRun('jwt.signingSecret'),
    revoked: revocation.ok
      ? verdict(await status(url, bearer(revoked)))
      : { status: 'not run', detail: `/revoke answered ${revocation.status}` },
    tampered: verdict(await status(url, bearer(editPayload(await token(), { sub: 'admin' })))),
    alg_none: verdict(await status(url, bearer(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims())}.`))),
    key_confusion: na('one symmetric algorithm and key: nothing to confuse'),
    wrong_audience: secret
      ? verdict(await status(url, bearer(forge(claims({ aud: 'https://another-server.example/' }), secret))))
      : notRun('jwt.signingSecret'),
    session_replay: otherPrincipal
      ? verdict(await status(url, { ...bearer(otherPrincipal), 'mcp-session-id': sid }), [404])
      : notRun('jwt.otherClient or jwt.signingSecret'),
    query_string: verdict(await status(`${url}?access_token=${await token()}`, {})),
    role_escalation: na('no roles: the mcp scope grants every tool'),
    // One scope for the whole server: a token without it is refused everything (403).
    scope_escalation: secret
      ? verdict(await status(url, bearer(forge(claims({ scope: 'profile' }), secret))), [403])
      : notRun('jwt.signingSecret'),
  };
  return {
    id: 'jwt',
    label: 'Method 2: HS256 JWT from /token',
    verdicts,
    capabilities: {
      eras: await erasReached(t.url, bearer(await token())),
      clients: await clientsReached(t.url),
      expiry: lifetime(real),
      revocation: 'yes, RFC 7009 /revoke (jti deny list)',
      perToolPermissions: 'no (one scope for the whole server)',
      rotation: await rotation(t.admin, 'client secrets: yes, with overlap; signing secret: restart, all tokens end'),
      setup: 'a 32-byte secret in the environment; clients registered with one command',
    },
  };
}

async function publicPemOf(jwksUrl: string, kid: unknown): Promise<string | undefined> {
  const res = await fetch(jwksUrl);
  if (!res.ok) return undefined;
  const { keys } = (await res.json()) as { keys?: Array<Record<string, unknown>> };
  const jwk = keys?.find((k) => k.kid === kid);
  if (!jwk) return undefined;
  return createPublicKey({ key: jwk as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

export async function rbacBattery(t: RbacTarget): Promise<MethodResult> {
  const url = `${t.hrUrl}/mcp`;
  const token = (client: Client) => clientToken(`${t.issuerUrl}/token`, client);
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
  const managerToken = await token(t.manager);
  const real = decode(managerToken, 1);
  const kid = String(decode(managerToken, 0).kid);
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: real.iss,
    sub: 'mallory',
    aud: real.aud,
    iat: now(),
    exp: now() + 600,
    job_role: 'Manager',
    ...extra,
  });
  // With the issuer's private key (a run that owns it), tokens that only a key holder could make.
  const keys = t.keyDir ? loadKeySet(t.keyDir) : undefined;
  const sign = async (options: { nowMs?: number; ttl?: number; audience?: string; scope?: string }) => {
    if (!keys) throw new Error('no key folder');
    const { token: signed } = await createRs256TokenIssuer({
      keys: { current: () => keys.signing },
      issuer: String(real.iss),
      ttlSeconds: options.ttl ?? 600,
      now: () => options.nowMs ?? Date.now(),
    }).issue({
      subject: 'alice',
      audience: options.audience ?? String(real.aud),
      scope: options.scope ?? 'mcp',
      claims: { job_role: 'Manager' },
    });
    return signed;
  };
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgedByAttacker = createSigner({ key: attacker, algorithm: 'RS256', header: { alg: 'RS256', kid } })(claims());
  // Key confusion: HS256 keyed with the issuer's public key, exactly as the JWKS publishes it.
  const publicPem = await publicPemOf(`${t.issuerUrl}/.well-known/jwks.json`, kid);
  const confused = publicPem ? createSigner({ key: publicPem, algorithm: 'HS256', header: { alg: 'HS256', kid } })(claims()) : undefined;
  const sid = t.other ? await sessionId(url, bearer(managerToken)) : '';
  const employeeToken = t.employee ? await token(t.employee) : undefined;
  const revoked = await revokedAtIssuer(t, url, await token(t.manager));

  const verdicts: Record<Attack, Verdict> = {
    missing: verdict(await status(url, {})),
    wrong: verdict(await status(url, bearer(forgedByAttacker))),
    expired: keys
      ? verdict(await status(url, bearer(await sign({ nowMs: Date.now() - 7_200_000, ttl: 60 }))))
      : notRun('rbac.keyDir (the issuer key folder)'),
    revoked: revoked,
    tampered: verdict(
      await status(
        url,
        bearer(employeeToken ? editPayload(employeeToken, { job_role: 'Manager' }) : editPayload(managerToken, { sub: 'mallory' })),
      ),
    ),
    alg_none: verdict(await status(url, bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`))),
    key_confusion: confused
      ? verdict(await status(url, bearer(confused)))
      : { status: 'not run', detail: `the issuer's JWKS has no key ${String(kid)}` },
    wrong_audience: keys
      ? verdict(await status(url, bearer(await sign({ audience: 'some-other-api' }))))
      : notRun('rbac.keyDir (the issuer key folder)'),
    session_replay: t.other
      ? verdict(await status(url, { ...bearer(await token(t.other)), 'mcp-session-id': sid }), [404])
      : notRun('rbac.other (a second identity)'),
    query_string: verdict(await status(`${url}?access_token=${managerToken}`, {})),
    role_escalation: employeeToken ? await escalation(t, employeeToken) : notRun('rbac.employee (an Employee identity)'),
    scope_escalation: keys ? await stepUp(url, await sign({ scope: 'hr:read' })) : notRun('rbac.keyDir (the issuer key folder)'),
  };
  return {
    id: 'rbac',
    label: 'Method 3: RS256 JWT + RBAC',
    verdicts,
    capabilities: {
      eras: await erasReached(t.hrUrl, bearer(await token(t.manager))),
      clients: await clientsReached(t.hrUrl),
      expiry: lifetime(real),
      revocation:
        'yes: RFC 7009 /revoke (access and refresh tokens; a sign-in as a whole) and clients revoke at the issuer; servers poll its /revocations',
      perToolPermissions: 'yes: per role, per server and per tool, with field and row grants; per-tool OAuth scopes with step-up',
      // Last: rotating changes the issuer's signing key for everything after it.
      rotation: await rotation(t.admin, 'yes: keys:rotate, live, old tokens valid until expiry'),
      setup: 'an issuer with an RSA key pair; identities with roles; a policy file; servers fetch the JWKS',
    },
  };
}

/**
 * Revokes a fresh token at the issuer (RFC 7009 /revoke) and asks hr-server until it refuses it: the
 * servers learn of revocations by polling the issuer's /revocations (REVOCATION_POLL_SECONDS).
 */
async function revokedAtIssuer(t: RbacTarget, url: string, fresh: string): Promise<Verdict> {
  const revocation = await fetch(`${t.issuerUrl}/revoke`, {
    method: 'POST',
    headers: { authorization: basic(t.manager) },
    body: new URLSearchParams({ token: fresh }),
  });
  await revocation.arrayBuffer();
  if (!revocation.ok) return { status: 'not run', detail: `/revoke answered ${revocation.status}` };
  let code = await status(url, { authorization: `Bearer ${fresh}` });
  for (const deadline = Date.now() + 15_000; code === 200 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    code = await status(url, { authorization: `Bearer ${fresh}` });
  }
  return verdict(code);
}

/**
 * Per-tool scopes (MCP runtime insufficient scope): a Manager's token with only hr:read calling
 * approve_leave_request must be answered 403 naming hr:approve, the scope to re-authorize for, before
 * the tool runs (the request id does not exist, so a call that ran would answer a tool error, not 403).
 */
async function stepUp(url: string, readOnlyToken: string): Promise<Verdict> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, authorization: `Bearer ${readOnlyToken}` },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'approve_leave_request', arguments: { request_id: 'LR-0000' } },
    }),
  });
  await res.arrayBuffer();
  const scope = /scope="([^"]*)"/.exec(res.headers.get('www-authenticate') ?? '')?.[1];
  if (res.status === 403 && scope?.split(' ').includes('hr:approve'))
    return { status: 'blocked', detail: `hr:read calling approve_leave_request: 403 insufficient_scope, scope="${scope}"` };
  return res.status === 403
    ? { status: 'blocked', detail: 'HTTP 403 without the scope to ask for' }
    : { status: 'ACCEPTED', detail: `hr:read calling approve_leave_request: HTTP ${res.status}` };
}

/** An Employee must not reach crm-server at all, nor run a manager's tool on hr-server. */
async function escalation(t: RbacTarget, employeeToken: string): Promise<Verdict> {
  const bearer = { authorization: `Bearer ${employeeToken}` };
  const crm = t.crmUrl ? await status(`${t.crmUrl}/mcp`, bearer) : undefined;
  const approve = await fetch(`${t.hrUrl}/mcp`, {
    method: 'POST',
    headers: { ...HEADERS, ...bearer },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'approve_leave_request', arguments: { request_id: 'LR-0005' } },
    }),
  });
  const approveBody = (await approve.json().catch(() => ({}))) as { error?: unknown; result?: { isError?: boolean } };
  const refused = Boolean(approveBody.error) || approve.status === 403;
  const crmPart = crm === undefined ? 'crm-server not given' : `crm-server ${crm}`;
  return refused && (crm === undefined || crm === 403)
    ? { status: 'blocked', detail: `Employee: ${crmPart}, approve_leave_request refused` }
    : { status: 'ACCEPTED', detail: `Employee: ${crmPart}, approve_leave_request ${refused ? 'refused' : 'ran'}` };
}
