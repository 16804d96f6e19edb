/** The top of the checkout (where pnpm-workspace.yaml is), found from `from` upwards; undefined outside one. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function workspaceRoot(from = process.cwd()): string | undefined {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
