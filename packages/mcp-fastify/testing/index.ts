export { freePort, type LaunchedProcess, launchApp } from './process.js';
export { describeResourceServerProcess } from './resource-server-process.js';
