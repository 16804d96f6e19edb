/**
 * The human in the loop, in code: a tool not annotated read-only runs only after the person at the
 * terminal says yes to the exact server, tool and arguments. `--yes` approves for scripted runs;
 * without a terminal and without `--yes`, writes are refused. The model is never asked to ask.
 */
import type { LineReader } from './repl/line-reader.js';
import type { AgentTool } from './servers/server-pool.js';

export type Decision = { approved: true } | { approved: false; reason: string };
export type Confirm = (tool: AgentTool, args: Record<string, unknown>) => Promise<Decision>;

export function createConfirm(options: {
  yes: boolean;
  interactive: boolean;
  ask: LineReader | undefined;
  write: (text: string) => void;
}): Confirm {
  return async (tool, args) => {
    if (tool.readOnly) return { approved: true };
    if (options.yes) return { approved: true };
    if (!options.interactive || !options.ask) {
      return { approved: false, reason: 'it changes data and there is no terminal to confirm it (use --yes for scripted runs)' };
    }
    options.write(
      `\nThis call changes data:\n  server: ${tool.server.name} (${tool.server.url})\n  tool:   ${tool.tool.name}\n  args:   ${JSON.stringify(args)}\n`,
    );
    const answer = ((await options.ask.question('Run it? [y/N] ')) ?? '').trim().toLowerCase();
    return answer === 'y' || answer === 'yes'
      ? { approved: true }
      : { approved: false, reason: 'declined at the prompt; nothing was changed' };
  };
}
