/**
 * What a dev-mode server does with the demo credentials it made: the log says what happened and where
 * the file is (never the secret), and the banner with the secret goes to the terminal only.
 */
import type { Logger } from 'pino';
import { showOnTerminal } from './terminal.js';

/** created: a fresh store; reissued: the file was gone, so the demo secrets were replaced; saved: from an earlier start. */
export type DemoOrigin = 'created' | 'reissued' | 'saved';

export function announceDemoCredentials(logger: Logger, what: string, origin: DemoOrigin, file: string, banner: string): void {
  const shown = showOnTerminal(`${banner}\n`);
  const how = { created: 'created', reissued: 'issued again (their file was gone)', saved: 'saved by an earlier start' }[origin];
  logger.info(
    { file, shownOnTerminal: shown },
    `${what} ${how}: the secrets are in ${file} (mode 0600, dev mode only)${shown ? ' and on the terminal' : ''}; they are never logged`,
  );
}
