export { selfSignedCertificate } from './certificate.js';
export { launchChromium } from './chromium.js';
export { describeDatabaseStartupErrors, holdWriteLock, type LockHolder, makeReadOnly } from './database.js';
export {
  CLIENT_KINDS,
  type ClientKind,
  type ConnectClientOptions,
  connectClient,
  type HttpExchange,
  isLegacyKind,
  MODERN_PROTOCOL_VERSION,
  type TestClient,
} from './mcp-clients.js';
export { type MixedTrafficOptions, type MixedTrafficResult, mixedTraffic, refusalCounts } from './mixed-traffic.js';
export { type IdpCaller, type IdpProfile, issuerPath, type OutsideIdp, type OutsideIdpOptions, startOutsideIdp } from './outside-idp.js';
export {
  crash,
  freePort,
  type LaunchedProcess,
  launchApp,
  launchReplicas,
  type Replicas,
  runToEnd,
  stopApps,
  untilOutput,
} from './process.js';
export { callTool, inPool, postMcp } from './requests.js';
export { describeResourceServerProcess } from './resource-server-process.js';
export { missingService, type RunningService, startNginx, startPostgres, startRedis } from './services.js';
