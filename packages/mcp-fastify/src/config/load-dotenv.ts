/**
 * Loads `.env` from the app's folder and from the workspace root (the app's own file wins, and the
 * real environment wins over both, unless it is blank), so one `.env` at the top of the checkout serves every app.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { isBlank } from './env-reader.js';
import { workspaceRoot } from './workspace-root.js';

export function loadDotenv(cwd = process.cwd()): void {
  // A blank variable is unset (env-reader.ts), so it must not hide the value .env gives it either:
  // dotenv only fills variables that are absent.
  for (const [name, value] of Object.entries(process.env)) if (isBlank(value)) delete process.env[name];
  const root = workspaceRoot(cwd);
  const paths = [join(cwd, '.env'), ...(root && root !== cwd ? [join(root, '.env')] : [])].filter((p) => existsSync(p));
  if (paths.length > 0) dotenv.config({ path: paths, quiet: true });
}
