// The RS256 issuer and a resource server that trusts it: JWKS, tokens from /token and from the
// `pnpm token` command, and every forged or misdirected token refused.
import { execFile } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jwkThumbprint, publicKeyFromPem } from '@mcp-auth/auth';
import { createSigner } from 'fast-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callTool,
  clientToken,
  decode,
  freePort,
  type IssuerHarness,
  type ResourceServer,
  removeDir,
  startIssuer,
  startResourceServer,
} from './harness.js';

let issuer: IssuerHarness;
let rs: ResourceServer;
beforeAll(async () => {
  const rsPort = await freePort();
  issuer = await startIssuer({ RS_PORT: String(rsPort) });
  rs = await startResourceServer(issuer.url, { port: rsPort });
});
afterAll(async () => {
  await rs.close();
  await issuer.close();
  removeDir(issuer.keyDir);
});

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: issuer.url,
  sub: 'mallory',
  aud: 'my-mcp-server',
  iat: now(),
  exp: now() + 600,
  job_role: 'Manager',
  ...extra,
});
const privatePem = () => readFileSync(join(issuer.keyDir, 'private.pem'), 'utf8');
const publicPem = () => readFileSync(join(issuer.keyDir, 'public.pem'), 'utf8');
const kid = () => jwkThumbprint(publicKeyFromPem(publicPem()));
const signRs256 = (payload: Record<string, unknown>, header: Record<string, unknown> = {}, key = privatePem()) =>
  createSigner({ key, algorithm: 'RS256', header: { alg: 'RS256', kid: kid(), ...header } })(payload);
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('JWKS', () => {
  it('publishes the public key under its RFC 7638 thumbprint, with no private members, cacheable', async () => {
    const res = await fetch(`${issuer.url}/.well-known/jwks.json`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const { keys } = (await res.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', kid: kid(), alg: 'RS256', use: 'sig', e: 'AQAB' });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.toHaveProperty(secret);
  });

  it('serves RFC 8414 metadata naming the JWKS and the token endpoint', async () => {
    const meta = (await (await fetch(`${issuer.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      issuer: issuer.url,
      token_endpoint: `${issuer.url}/token`,
      jwks_uri: `${issuer.url}/.well-known/jwks.json`,
    });
  });

  it('says at startup when ISSUER is not the URL the metadata is served at (RFC 8414 §3.3), and is quiet when it is', async () => {
    // By default ISSUER is the public URL.
    expect(issuer.logs()).not.toContain("ISSUER is not this server's public URL");
    const article = await startIssuer({ ISSUER: 'https://dev-issuer.com' });
    try {
      expect(article.logs()).toContain("ISSUER is not this server's public URL");
    } finally {
      await article.close();
    }
    const matching = await startIssuer({ ISSUER: 'https://auth.example.com', PUBLIC_URL: 'https://auth.example.com/' });
    try {
      const meta = (await (await fetch(`${matching.url}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      expect(meta.issuer).toBe('https://auth.example.com');
      expect(matching.logs()).not.toContain("ISSUER is not this server's public URL");
    } finally {
      await matching.close();
    }
  });

  it('is fetched once by a resource server, not per request', async () => {
    const before = rs.jwksFetches();
    const token = await clientToken(issuer, 'alice');
    for (let i = 0; i < 20; i++) expect((await callTool(rs, token)).status).toBe(200);
    expect(rs.jwksFetches()).toBe(before);
  });
});

describe('tokens', () => {
  it('from POST /token carry the identity, role and kid, and verify at the resource server', async () => {
    const token = await clientToken(issuer, 'bob');
    const { header, payload } = decode(token);
    expect(header).toMatchObject({ alg: 'RS256', kid: kid() });
    expect(payload).toMatchObject({
      iss: issuer.url,
      aud: 'my-mcp-server',
      sub: 'bob',
      name: 'Bob',
      id: 'EMP-002',
      job_role: 'AssistantManager',
    });
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.exp - payload.iat).toBe(3600);
    expect((await callTool(rs, token)).status).toBe(200);
  });

  it('with an RFC 8707 resource are for that server only', async () => {
    const own = await clientToken(issuer, 'alice', { resource: rs.resource });
    expect(decode(own).payload.aud).toBe(rs.resource);
    expect((await callTool(rs, own)).status).toBe(200);
    const other = await clientToken(issuer, 'alice', { resource: issuer.otherResource });
    const refused = await callTool(rs, other);
    expect(refused.status).toBe(401);
    expect(refused.challenge).toContain('error_description="Token audience not accepted"');
  });

  it('from `pnpm token` (signed with the local private key, as the article did) verify', async () => {
    const { stdout } = await promisify(execFile)(
      join(import.meta.dirname, '..', 'node_modules', '.bin', 'tsx'),
      ['--conditions=mcp-auth-source', 'src/token-cli.ts', '--sub', 'alice', '--role', 'Manager', '--ttl', '5m'],
      {
        cwd: join(import.meta.dirname, '..'),
        env: { ...process.env, MCP_AUTH_DIR: issuer.keyDir, PUBLIC_URL: issuer.url },
      },
    );
    const token = stdout.trim();
    expect(decode(token).payload).toMatchObject({ sub: 'alice', job_role: 'Manager', name: 'Alice', aud: 'my-mcp-server' });
    expect(decode(token).payload.exp - decode(token).payload.iat).toBe(300);
    expect((await callTool(rs, token)).status).toBe(200);
  });
});

describe('401 for tokens a resource server must refuse', () => {
  const cases: Array<[string, () => string, string]> = [
    ['expired', () => signRs256(claims({ iat: now() - 7200, exp: now() - 3600 })), 'Token expired'],
    ['wrong iss', () => signRs256(claims({ iss: 'https://evil-issuer.example' })), 'Token issuer not accepted'],
    ['wrong aud', () => signRs256(claims({ aud: 'some-other-api' })), 'Token audience not accepted'],
    [
      'unknown kid (a key the issuer never published)',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return signRs256(claims(), { kid: 'attacker-key' }, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      },
      'Token signed by an unknown key (kid)',
    ],
    ['alg: none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, 'Token algorithm not accepted'],
    [
      'RS256 -> HS256 key confusion with the real public key PEM as the HMAC secret',
      () => createSigner({ key: publicPem(), algorithm: 'HS256', header: { alg: 'HS256', kid: kid() } })(claims()),
      'Token algorithm not accepted',
    ],
    [
      'an embedded jwk header naming the attacker key',
      () => {
        const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return signRs256(
          claims(),
          { jwk: publicKey.export({ format: 'jwk' }) },
          privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        );
      },
      'Token header jwk is not accepted (keys named inside a token are never trusted)',
    ],
    [
      'a jku header',
      () => signRs256(claims(), { jku: 'https://evil.example/jwks.json' }),
      'Token header jku is not accepted (keys named inside a token are never trusted)',
    ],
    [
      'ES256 with an all-zero signature (CVE-2022-21449)',
      () => `${b64({ alg: 'ES256', typ: 'JWT', kid: kid() })}.${b64(claims())}.${Buffer.alloc(64).toString('base64url')}`,
      'Token algorithm not accepted',
    ],
    [
      'a valid signature over an edited payload',
      () => {
        const [h, , s] = signRs256(claims({ job_role: 'Employee' })).split('.');
        return `${h}.${b64(claims({ job_role: 'Manager' }))}.${s}`;
      },
      'Invalid token signature',
    ],
    ['no exp', () => signRs256(claims({ exp: undefined })), 'Token has no exp claim'],
    ['no aud (correctly signed)', () => signRs256(claims({ aud: undefined })), 'Token has no aud claim'],
    ['no iss (correctly signed)', () => signRs256(claims({ iss: undefined })), 'Token has no iss claim'],
  ];
  it.each(cases)('%s', async (_name, make, description) => {
    const { status, challenge } = await callTool(rs, make());
    expect(status).toBe(401);
    expect(challenge).toBe(`Bearer realm="test-resource-server", error="invalid_token", error_description="${description}"`);
  });

  it('forged kids do not make the resource server hammer the issuer (one refetch per cooldown)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // Its own server with a cooldown long enough that ten concurrent requests fit in it on a loaded machine.
    const guarded = await startResourceServer(issuer.url, { cooldownMs: 1500 });
    try {
      await new Promise((r) => setTimeout(r, 1600));
      const before = guarded.jwksFetches();
      const forged = Array.from({ length: 10 }, (_, i) => signRs256(claims(), { kid: `forged-${i}` }, pem));
      const answers = await Promise.all(forged.map((token) => callTool(guarded, token)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(401));
      expect(guarded.jwksFetches() - before).toBe(1);
    } finally {
      await guarded.close();
    }
  });

  it('the private key never leaves the issuer: nothing served contains it', async () => {
    const der = createPrivateKey(privatePem()).export({ format: 'jwk' }) as { d: string };
    const served = await Promise.all(
      ['/.well-known/jwks.json', '/.well-known/oauth-authorization-server'].map(async (p) => (await fetch(`${issuer.url}${p}`)).text()),
    );
    for (const body of served) expect(body).not.toContain(der.d.slice(0, 40));
  });
});
