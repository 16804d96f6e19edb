/**
 * All three methods on embedded defaults, each on temporary state that this run controls (data
 * folders, the HS256 secret, the RSA key folder), plus the same servers with authentication off as
 * the cost baseline. Nothing outside the run's temporary folder is touched.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSecret } from '@mcp-auth/auth';
import type { Placement } from './cpu-placement.js';
import { type Launched, launch, launchPair } from './launch.js';

/** A server and its auth-off twin in one process (launchPair): the bench's one-process measure of auth. */
export interface SameProcessPair {
  server: Launched;
  open: Launched;
}

export interface Deployment {
  dir: string;
  apikey: { server: Launched; open: Launched; pair?: SameProcessPair | undefined; key: string; env: Record<string, string> };
  jwt: {
    server: Launched;
    open: Launched;
    pair?: SameProcessPair | undefined;
    secret: string;
    clientId: string;
    clientSecret: string;
    env: Record<string, string>;
  };
  rbac: {
    issuer: Launched;
    hr: Launched;
    crm: Launched;
    hrOpen: Launched;
    hrPair?: SameProcessPair | undefined;
    keyDir: string;
    secrets: Record<'alice' | 'bob' | 'carol', string>;
    issuerEnv: Record<string, string>;
  };
  stop(): Promise<void>;
}

/**
 * `placement`: the cores every server starts on (see cpu-placement.ts); none: wherever the scheduler
 * puts them. `sameProcessPairs`: also each measured server with its twin in one process (pnpm bench).
 */
export async function deployAll(
  progress: (line: string) => void = () => {},
  placement?: Placement,
  options: { sameProcessPairs?: boolean } = {},
): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-auth-compare-'));
  const started: Launched[] = [];
  const start = async (app: string, env: Record<string, string>, label: string) => {
    progress(`  starting ${label}`);
    const l = await launch(app, env, label, placement);
    started.push(l);
    return l;
  };
  // The same server as `env` (its data folder too, so the same credentials work) with its twin, in one process.
  const startPair = async (app: string, env: Record<string, string>, twinDir: string, label: string) => {
    if (!options.sameProcessPairs) return undefined;
    progress(`  starting ${label} and its auth-off twin in one process`);
    const pair = await launchPair(app, env, { DATA_DIR: join(dir, twinDir), INSECURE_DISABLE_AUTH: 'true' }, label, placement);
    started.push(pair.server);
    return pair;
  };
  try {
    const apikeyEnv = { DATA_DIR: join(dir, 'apikey') };
    const apikey = await start('apikey-server', apikeyEnv, 'apikey-server');
    // Dev-mode demo secrets are saved to DATA_DIR/demo-credentials.json (0600), never printed to stdout.
    const demoFile = (dataDir: string) =>
      JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as Record<string, string>;
    const key = demoFile(apikeyEnv.DATA_DIR).api_key;
    if (!key) throw new Error(`apikey-server saved no demo key:\n${apikey.output()}`);
    const apikeyOpen = await start(
      'apikey-server',
      { DATA_DIR: join(dir, 'apikey-open'), INSECURE_DISABLE_AUTH: 'true' },
      'apikey-server (auth off)',
    );
    const apikeyPair = await startPair('apikey-server', apikeyEnv, 'apikey-pair-open', 'apikey-server');

    // /token is measured for throughput, so its per-client and per-address limits are raised.
    const unlimitedTokens = { TOKEN_RATE_LIMIT_PER_CLIENT: '1000000', TOKEN_RATE_LIMIT_PER_IP: '1000000' };
    const secret = generateSecret();
    const jwtEnv = { DATA_DIR: join(dir, 'jwt'), JWT_SECRET: secret, ...unlimitedTokens };
    const jwt = await start('jwt-server', jwtEnv, 'jwt-server');
    const clientSecret = demoFile(jwtEnv.DATA_DIR).client_secret;
    if (!clientSecret) throw new Error(`jwt-server saved no demo client:\n${jwt.output()}`);
    const jwtOpen = await start(
      'jwt-server',
      { DATA_DIR: join(dir, 'jwt-open'), JWT_SECRET: secret, INSECURE_DISABLE_AUTH: 'true' },
      'jwt-server (auth off)',
    );
    // The tokens are the first jwt-server's: its URL is their issuer and audience, at any port.
    const jwtPair = await startPair('jwt-server', { ...jwtEnv, PUBLIC_URL: jwt.url }, 'jwt-pair-open', 'jwt-server');

    const keyDir = join(dir, 'mcp_auth');
    const issuerEnv = { DATA_DIR: join(dir, 'issuer'), MCP_AUTH_DIR: keyDir, ...unlimitedTokens };
    const issuer = await start('issuer', issuerEnv, 'issuer');
    const demo = JSON.parse(readFileSync(join(keyDir, 'demo-credentials.json'), 'utf8')) as {
      clients: Record<string, { client_secret: string }>;
    };
    const secrets = {
      alice: demo.clients.alice?.client_secret ?? '',
      bob: demo.clients.bob?.client_secret ?? '',
      carol: demo.clients.carol?.client_secret ?? '',
    };
    // The iss the issuer announces (RFC 8414 metadata): by default its URL, which the servers also
    // expect by default; read rather than assumed, so an issuer set to another ISSUER still lines up.
    const { issuer: iss } = (await (await fetch(`${issuer.url}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
    const resourceEnv = (name: string) => ({
      DATA_DIR: join(dir, name),
      ISSUER_URL: issuer.url,
      ISSUER: iss,
      JWKS_REFETCH_COOLDOWN_SECONDS: '1',
      REVOCATION_POLL_SECONDS: '1',
    });
    const hr = await start('hr-server', resourceEnv('hr'), 'hr-server');
    const crm = await start('crm-server', resourceEnv('crm'), 'crm-server');
    const hrOpen = await start('hr-server', { ...resourceEnv('hr-open'), INSECURE_DISABLE_AUTH: 'true' }, 'hr-server (auth off)');
    const hrPair = await startPair('hr-server', resourceEnv('hr'), 'hr-pair-open', 'hr-server');

    return {
      dir,
      apikey: { server: apikey, open: apikeyOpen, pair: apikeyPair, key, env: apikeyEnv },
      jwt: { server: jwt, open: jwtOpen, pair: jwtPair, secret, clientId: 'test_client', clientSecret, env: jwtEnv },
      rbac: { issuer, hr, crm, hrOpen, hrPair, keyDir, secrets, issuerEnv },
      async stop() {
        await Promise.all(started.map((l) => l.stop()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(started.map((l) => l.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
