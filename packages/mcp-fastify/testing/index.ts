export { describeDatabaseStartupErrors, holdWriteLock, type LockHolder, makeReadOnly } from './database.js';
export { type MixedTrafficOptions, type MixedTrafficResult, mixedTraffic, refusalCounts } from './mixed-traffic.js';
export { freePort, type LaunchedProcess, launchApp } from './process.js';
export { describeResourceServerProcess } from './resource-server-process.js';
