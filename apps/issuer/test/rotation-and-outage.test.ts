// Key rotation without restarts, and resource servers that keep verifying while the issuer is down.
import { loadKeySet, rotateKeyPair } from '@mcp-auth/auth';
import { afterEach, describe, expect, it } from 'vitest';
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

let issuer: IssuerHarness | undefined;
let rs: ResourceServer | undefined;
afterEach(async () => {
  await rs?.close();
  await issuer?.close();
  if (issuer) removeDir(issuer.keyDir);
  issuer = undefined;
  rs = undefined;
});

describe('rotation', () => {
  it('new tokens use the new key, old tokens keep working until expiry, nobody restarts', async () => {
    issuer = await startIssuer();
    rs = await startResourceServer(issuer.url, { cooldownMs: 100 });
    const oldToken = await clientToken(issuer, 'alice');
    const oldKid = decode(oldToken).header.kid;
    expect((await callTool(rs, oldToken)).status).toBe(200);

    const { newKid } = rotateKeyPair(issuer.keyDir, { publishForSeconds: 3600 });
    await new Promise((r) => setTimeout(r, 150)); // the issuer checks its key files every 50 ms here (1 s by default)

    const newToken = await clientToken(issuer, 'alice');
    expect(decode(newToken).header.kid).toBe(newKid);
    expect(newKid).not.toBe(oldKid);
    const jwks = (await (await fetch(`${issuer.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toEqual([newKid, oldKid]);

    expect((await callTool(rs, newToken)).status).toBe(200); // unknown kid -> one refetch -> known
    expect((await callTool(rs, oldToken)).status).toBe(200); // still published
  });

  it('a retired key leaves the JWKS when its publication window ends', async () => {
    issuer = await startIssuer();
    const { oldKid } = rotateKeyPair(issuer.keyDir, { publishForSeconds: 3 });
    const published = () => loadKeySet((issuer as IssuerHarness).keyDir).published.map((k) => k.kid);
    expect(published()).toContain(oldKid);
    await expect.poll(published, { timeout: 10_000, interval: 250 }).not.toContain(oldKid);
  });
});

describe('issuer outage', () => {
  it('resource servers keep verifying from their cached keys, even past the cache age', async () => {
    issuer = await startIssuer();
    rs = await startResourceServer(issuer.url, { cooldownMs: 50, maxAgeMs: 100 });
    const token = await clientToken(issuer, 'carol');
    await issuer.close();
    await new Promise((r) => setTimeout(r, 200)); // cache is stale; the refetch fails; old keys serve
    expect((await callTool(rs, token)).status).toBe(200);
    expect((await callTool(rs, token)).status).toBe(200);
    issuer = undefined;
  });

  it('a resource server that never reached the issuer answers 503, not 401 or 500', async () => {
    const deadIssuer = `http://127.0.0.1:${await freePort()}`;
    rs = await startResourceServer(deadIssuer);
    const { status, challenge } = await callTool(rs, 'eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiJ4In0.c2ln');
    expect(status).toBe(503);
    expect(challenge).toBe('Bearer realm="test-resource-server"');
  });
});

describe('rotation published ahead of use', () => {
  it('a server that refetched just before still accepts the first token of the new key', async () => {
    issuer = await startIssuer();
    const { newKid } = rotateKeyPair(issuer.keyDir, { publishForSeconds: 3600, activateAfterSeconds: 2 });
    await new Promise((r) => setTimeout(r, 150)); // the issuer sees the pending key (it checks every 50 ms here)
    // The server fetches the JWKS now, while the new key is published but idle, and then, with a
    // one-minute cooldown, will not fetch again: it must already know the new key when it signs.
    rs = await startResourceServer(issuer.url, { cooldownMs: 60_000 });
    const before = await clientToken(issuer, 'alice');
    expect(decode(before).header.kid).not.toBe(newKid);
    await new Promise((r) => setTimeout(r, 2600));
    const after = await clientToken(issuer, 'alice');
    expect(decode(after).header.kid).toBe(newKid);
    expect((await callTool(rs, after)).status).toBe(200); // known without another refetch
    expect((await callTool(rs, before)).status).toBe(200);
  });
});
