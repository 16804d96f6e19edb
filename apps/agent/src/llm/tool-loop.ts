/**
 * The LLM mode: each question goes to the model with the tools this identity may use; tool calls run
 * through the same confirmation as /call, and their results go back to the model until it answers in
 * words. The conversation keeps the last few turns. A tool the model invents, or one the role may
 * not use, gets an error result the model can read; it never reaches a server.
 */
import type { Confirm } from '../confirm.js';
import type { ServerPool } from '../servers/server-pool.js';
import { type ChatMessage, type ChatTool, chat, type LlmSettings } from './chat-completions.js';

const MAX_STEPS = 8;
const MEMORY_MESSAGES = 24;

/** OpenAI function names allow no dots: `hr.get_employee_records` travels as `hr__get_employee_records`. */
const toFunctionName = (qualified: string) => qualified.replace('.', '__');
const fromFunctionName = (name: string) => name.replace('__', '.');

export class ToolLoop {
  private history: ChatMessage[] = [];

  constructor(
    private readonly settings: LlmSettings,
    private readonly pool: ServerPool,
    private readonly confirm: Confirm,
    private readonly systemPrompt: string,
    private readonly log: (line: string) => void,
  ) {}

  private tools(): ChatTool[] {
    return [...this.pool.tools.values()].map((t) => ({
      type: 'function',
      function: {
        name: toFunctionName(t.qualifiedName),
        description: `[${t.server.name}${t.readOnly ? '' : ', changes data: the user is asked first'}] ${t.tool.description ?? ''}`,
        parameters: t.tool.inputSchema as Record<string, unknown>,
      },
    }));
  }

  private async runTool(name: string, rawArgs: string): Promise<string> {
    const qualified = fromFunctionName(name);
    const tool = this.pool.tools.get(qualified);
    if (!tool)
      return `Error: there is no tool ${qualified} available to this user (their role may not use it). Available: ${[...this.pool.tools.keys()].join(', ')}`;
    let args: Record<string, unknown>;
    try {
      args = rawArgs ? (JSON.parse(rawArgs) as Record<string, unknown>) : {};
    } catch {
      return 'Error: the arguments were not valid JSON';
    }
    const decision = await this.confirm(tool, args);
    if (!decision.approved) {
      this.log(`  (${qualified} not run: ${decision.reason})`);
      return `Not run: ${decision.reason}`;
    }
    this.log(`  -> ${qualified} ${JSON.stringify(args)}`);
    const result = await this.pool.call(qualified, args);
    const text = (result.content ?? []).map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
    return result.isError ? `Tool error: ${text}` : text;
  }

  async ask(question: string): Promise<string> {
    const turn: ChatMessage[] = [{ role: 'user', content: question }];
    for (let step = 0; step < MAX_STEPS; step++) {
      const reply = await chat(this.settings, [{ role: 'system', content: this.systemPrompt }, ...this.history, ...turn], this.tools());
      turn.push(reply);
      if (!reply.tool_calls?.length) {
        this.history = [...this.history, ...turn].slice(-MEMORY_MESSAGES);
        // Never start the remembered history with tool results whose call was cut off.
        while (this.history[0] && this.history[0].role !== 'user') this.history.shift();
        return reply.content ?? '';
      }
      for (const call of reply.tool_calls) {
        turn.push({ role: 'tool', tool_call_id: call.id, content: await this.runTool(call.function.name, call.function.arguments) });
      }
    }
    return `(stopped after ${MAX_STEPS} tool steps without a final answer)`;
  }
}
