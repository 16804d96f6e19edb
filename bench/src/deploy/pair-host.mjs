// One process serving an app twice: with auth (PAIR_ON, JSON of environment settings) and as its
// auth-off twin (PAIR_OFF), so that the JIT, heap and collector luck of one process falls on both
// (pnpm bench's "one process" rows). The app's own entry (dist/main.js) is imported twice, as two
// module instances; each reads its settings synchronously when it starts, before anything awaits,
// so each gets its own environment. Usage: node pair-host.mjs <apps/X/dist/main.js>
import { pathToFileURL } from 'node:url';

const [entry] = process.argv.slice(2);
if (!entry) throw new Error('usage: node pair-host.mjs <apps/X/dist/main.js>');
const base = { ...process.env };

async function start(settings, instance) {
  for (const name of Object.keys(process.env)) if (!(name in base)) delete process.env[name];
  Object.assign(process.env, base, settings);
  await import(`${pathToFileURL(entry).href}?${instance}`);
}

await start(JSON.parse(process.env.PAIR_ON ?? '{}'), 'auth-on');
await start(JSON.parse(process.env.PAIR_OFF ?? '{}'), 'auth-off');
