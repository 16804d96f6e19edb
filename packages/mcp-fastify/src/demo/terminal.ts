/**
 * Shows text to the person at the terminal, never to a log collector. stdout and stderr are where
 * logs go (pino, `docker logs`, systemd, CI, turbo's captured task output), so secrets are written to
 * the controlling terminal itself, /dev/tty, which `pnpm dev` under turbo still has while its stdout
 * is a pipe. Without one (containers without -t, services, CI) nothing is shown, and the caller logs
 * where the 0600 file holding the secret is instead. Where /dev/tty does not exist (Windows), stderr is
 * used only when it is itself a terminal.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Writes `text` to the terminal; false when there is no terminal to write to. */
export function showOnTerminal(text: string): boolean {
  try {
    const fd = openSync('/dev/tty', 'w');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch {
    // ENXIO (no controlling terminal) or ENOENT (no /dev/tty on this system)
  }
  if (process.stderr.isTTY) {
    process.stderr.write(text);
    return true;
  }
  return false;
}
