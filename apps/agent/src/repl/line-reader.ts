/**
 * Reads lines from the terminal or a pipe without losing any: readline's question() drops lines that
 * arrive before it is called (all of them, when input is piped), so lines are queued as they come.
 * The same queue answers the confirmation prompt, so a prompt takes the next line typed.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export class LineReader {
  private readonly queue: string[] = [];
  private readonly waiting: Array<(line: string | undefined) => void> = [];
  private closed = false;
  private readonly rl;

  constructor(
    input: Readable,
    private readonly output: Writable,
  ) {
    this.rl = createInterface({ input, terminal: false });
    this.rl.on('line', (line) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.queue.push(line);
    });
    this.rl.on('close', () => {
      this.closed = true;
      for (const waiter of this.waiting.splice(0)) waiter(undefined);
    });
  }

  /** The next line (after writing `prompt`), or undefined once the input has ended. */
  question(prompt: string): Promise<string | undefined> {
    if (prompt) this.output.write(prompt);
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    this.rl.close();
  }
}
