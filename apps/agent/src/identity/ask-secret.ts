/**
 * Asks for a secret at the terminal without echoing it, when no environment variable gave one. Only
 * on a real terminal (raw mode): piped input or a script never blocks on a prompt.
 */
import type { Readable, Writable } from 'node:stream';

export type AskSecret = (prompt: string) => Promise<string | undefined>;

type TerminalInput = Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (raw: boolean) => unknown };

/** A hidden-input prompt on `input` when it is a terminal; undefined otherwise. */
export function terminalSecretPrompt(input: TerminalInput, output: Writable): AskSecret | undefined {
  if (!input.isTTY || typeof input.setRawMode !== 'function') return undefined;
  const setRaw = input.setRawMode.bind(input);
  return (prompt) =>
    new Promise((resolve) => {
      output.write(prompt);
      const wasRaw = input.isRaw ?? false;
      setRaw(true);
      input.resume();
      let value = '';
      const finish = (result: string | undefined) => {
        input.off('data', onData);
        setRaw(wasRaw);
        input.pause();
        output.write('\n');
        resolve(result);
      };
      function onData(chunk: Buffer | string) {
        for (const ch of String(chunk)) {
          if (ch === '\r' || ch === '\n') return finish(value || undefined);
          if (ch === '\u0003' || ch === '\u0004') return finish(undefined); // Ctrl-C, Ctrl-D
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else if (ch >= ' ') value += ch;
        }
      }
      input.on('data', onData);
    });
}
