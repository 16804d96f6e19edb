/**
 * Dev-mode credentials saved for the person who started the server: written when they are created
 * (before the server listens, so a start that then fails loses nothing), in a file only its owner can
 * read (0600, in a 0700 folder when the folder is new), and read back by later starts.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeSecretFile(path: string, content: unknown): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // writeFileSync's mode applies only when it creates the file
}

/** The parsed file, or undefined when it is missing or not JSON (then it is written anew). */
export function readSecretFile(path: string): unknown {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
