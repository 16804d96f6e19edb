export { type MixedTrafficOptions, type MixedTrafficResult, mixedTraffic, refusalCounts } from './mixed-traffic.js';
export { freePort, type LaunchedProcess, launchApp } from './process.js';
export { describeResourceServerProcess } from './resource-server-process.js';
