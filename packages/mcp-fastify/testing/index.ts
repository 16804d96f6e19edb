export { describeDatabaseStartupErrors, holdWriteLock, type LockHolder, makeReadOnly } from './database.js';
export { freePort, type LaunchedProcess, launchApp } from './process.js';
export { describeResourceServerProcess } from './resource-server-process.js';
