// .env.example is the list of settings a user can change: every variable an app or docker-compose.yml
// reads must be in it, and it must not list variables nothing reads.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    // test/ and testing/ hold test code and helpers: their knobs (CHROMIUM_PATH) are not settings.
    if (name === 'node_modules' || name === 'dist' || name === 'test' || name === 'testing') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

it('.env.example lists exactly the variables the apps read', () => {
  const code = ['apps', 'packages'].flatMap((d) => sources(join(root, d))).map((f) => readFileSync(f, 'utf8'));
  const read = new Set<string>();
  for (const text of code) {
    for (const m of text.matchAll(/\b(?:env|reader)\.(?:raw|string|int|bool|oneOf|list|url|optionalUrl|secretFile)\(\s*'([A-Z0-9_]+)'/g))
      read.add(m[1] as string);
    for (const m of text.matchAll(/process\.env\.([A-Z0-9_]+)/g)) read.add(m[1] as string);
    // an env record handed around, e.g. `env.MCP_API_KEY` or `io.env.LLM_MODEL`
    for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)\b/g)) read.add(m[1] as string);
    for (const m of text.matchAll(/process\.env\[['"]([A-Z0-9_]+)['"]\]/g)) read.add(m[1] as string);
  }
  // docker-compose.yml reads .env too: every ${VAR} it interpolates is a setting a user can change.
  const composeFile = readFileSync(join(root, 'docker-compose.yml'), 'utf8').replace(/^\s*#.*$/gm, '');
  for (const m of composeFile.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) read.add(m[1] as string);
  read.delete('NODE_ENV'); // read through env.raw above too; listed explicitly below
  const listed = new Set(
    [...readFileSync(join(root, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string),
  );
  listed.delete('NODE_ENV');
  expect([...read].filter((v) => !listed.has(v)).sort(), 'read by an app or docker-compose.yml but missing from .env.example').toEqual([]);
  expect([...listed].filter((v) => !read.has(v)).sort(), 'listed in .env.example but read by nothing').toEqual([]);
  expect(read.size).toBeGreaterThan(10);
});
