// Prints one closing line for the whole workspace ("N passed, N failed"), summed from the JSON
// report each package's vitest run writes (restored from turbo's cache when a package was unchanged).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const workspaces = [
  ...['apps', 'packages'].flatMap((dir) =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => join(root, dir, name)) : [],
  ),
  join(root, 'bench'),
  join(root, 'conformance'),
];

let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of workspaces) {
  const report = join(dir, '.vitest-results.json');
  if (!existsSync(report)) continue;
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
