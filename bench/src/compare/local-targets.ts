/**
 * Targets for a run on embedded defaults: this run started the servers, so it knows every secret and
 * can use the apps' own admin commands to make what the battery needs (a second key, an expired key, a
 * revoked key) and to check rotation for real.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deployment } from '../deploy/deployment.js';
import { command } from '../deploy/launch.js';
import { clientToken, decode, status } from './battery.js';
import type { Targets } from './targets.js';

const lastLine = (out: string) => out.trim().split('\n').at(-1) as string;
const keyId = (key: string) => key.slice(5, 21);

export async function localTargets(d: Deployment): Promise<Targets> {
  const keys = async (...args: string[]) => lastLine(await command('apikey-server', 'keys-cli.js', args, d.apikey.env));
  const otherKey = await keys('create', '--name', 'compare-other');
  const expiredKey = await keys('create', '--name', 'compare-expired', '--ttl', '1s');
  const revokedKey = await keys('create', '--name', 'compare-revoked');
  await keys('revoke', keyId(revokedKey));
  await sleep(1100); // the expiring key's second runs out

  const apikeyUrl = `${d.apikey.server.url}/mcp`;
  const jwtClient = { clientId: d.jwt.clientId, clientSecret: d.jwt.clientSecret };
  const hrUrl = `${d.rbac.hr.url}/mcp`;
  const identity = (who: 'alice' | 'bob' | 'carol') => ({ clientId: who, clientSecret: d.rbac.secrets[who] });

  return {
    apikey: {
      url: d.apikey.server.url,
      openUrl: d.apikey.open.url,
      key: d.apikey.key,
      otherKey,
      expiredKey,
      revokedKey,
      admin: {
        async checkRotation() {
          const old = await keys('create', '--name', 'compare-rotate');
          const next = await keys('rotate', keyId(old), '--overlap', '1h');
          return (await status(apikeyUrl, { 'x-api-key': old })) === 200 && (await status(apikeyUrl, { 'x-api-key': next })) === 200;
        },
      },
    },
    jwt: {
      url: d.jwt.server.url,
      openUrl: d.jwt.open.url,
      client: jwtClient,
      signingSecret: d.jwt.secret,
      admin: {
        async checkRotation() {
          const rotated = lastLine(await command('jwt-server', 'clients-cli.js', ['rotate', d.jwt.clientId, '--overlap', '1h'], d.jwt.env));
          const tokenUrl = `${d.jwt.server.url}/token`;
          // Both secrets get tokens during the overlap (clientToken throws if either does not).
          await clientToken(tokenUrl, { clientId: d.jwt.clientId, clientSecret: rotated });
          await clientToken(tokenUrl, jwtClient);
          return true;
        },
      },
    },
    rbac: {
      issuerUrl: d.rbac.issuer.url,
      hrUrl: d.rbac.hr.url,
      crmUrl: d.rbac.crm.url,
      openUrl: d.rbac.hrOpen.url,
      manager: identity('alice'),
      other: identity('bob'),
      employee: identity('carol'),
      keyDir: d.rbac.keyDir,
      admin: {
        async checkRotation() {
          const tokenUrl = `${d.rbac.issuer.url}/token`;
          const oldToken = await clientToken(tokenUrl, identity('alice'));
          await command('issuer', 'keys-cli.js', ['rotate', '--publish-for', '2h'], d.rbac.issuerEnv);
          await sleep(1500); // the issuer picks up the new key file
          const newToken = await clientToken(tokenUrl, identity('alice'));
          const kid = (t: string) => decode(t, 0).kid;
          const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
          return (
            kid(newToken) !== kid(oldToken) &&
            (await status(hrUrl, bearer(oldToken))) === 200 &&
            (await status(hrUrl, bearer(newToken))) === 200
          );
        },
      },
    },
  };
}
