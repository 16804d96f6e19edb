/**
 * The direct mode's commands, also used by --script: /tools, /call server.tool {json}, /whoami,
 * /servers, /help, /exit. Each returns whether it succeeded so scripts can stop on failure.
 */
import type { Confirm } from '../confirm.js';
import type { ConnectionReport, ServerPool } from '../servers/server-pool.js';

export interface CommandContext {
  pool: ServerPool;
  confirm: Confirm;
  whoami: () => string;
  reports: ConnectionReport[];
  denied: string[];
  print: (text: string) => void;
}

export type CommandOutcome = 'ok' | 'failed' | 'exit';

export const HELP = `/tools                         list the tools you may use (* = changes data, asks first)
/call <server.tool> {json}     call a tool, e.g. /call hr.get_employee_records {"department":"Engineering"}
/whoami                        who the token says you are
/servers                       which servers you are connected to, and which you may not use
/exit                          leave`;

export function describeServers(reports: ConnectionReport[], denied: string[]): string {
  const lines = reports.map((r) =>
    r.ok
      ? `  connected  ${r.server.name} (${r.server.url}, ${r.transport}, ${r.era} era, MCP ${r.protocolVersion})`
      : `  skipped    ${r.server.name}: ${r.reason}`,
  );
  for (const name of denied) lines.push(`  not permitted  ${name} (the policy does not grant your role)`);
  return lines.join('\n');
}

export async function runCommand(line: string, ctx: CommandContext): Promise<CommandOutcome> {
  const trimmed = line.trim();
  const space = trimmed.indexOf(' ');
  const command = space === -1 ? trimmed : trimmed.slice(0, space);
  const rest = space === -1 ? '' : trimmed.slice(space + 1).trim();
  switch (command) {
    case '/exit':
    case '/quit':
      return 'exit';
    case '/help':
      ctx.print(HELP);
      return 'ok';
    case '/whoami':
      ctx.print(ctx.whoami());
      return 'ok';
    case '/servers':
      ctx.print(describeServers(ctx.reports, ctx.denied));
      return 'ok';
    case '/tools': {
      const tools = [...ctx.pool.tools.values()];
      ctx.print(
        tools.length
          ? tools.map((t) => `  ${t.readOnly ? ' ' : '*'} ${t.qualifiedName.padEnd(36)} ${t.tool.description ?? ''}`).join('\n')
          : '  (no tools: no server accepted this identity)',
      );
      return 'ok';
    }
    case '/call': {
      const match = /^(\S+)\s*(.*)$/s.exec(rest);
      if (!match) {
        ctx.print('Usage: /call <server.tool> {json arguments}');
        return 'failed';
      }
      const [, name, json] = match as unknown as [string, string, string];
      const tool = ctx.pool.tools.get(name);
      if (!tool) {
        ctx.print(`No tool ${name} for you. /tools lists what your role may use.`);
        return 'failed';
      }
      let args: Record<string, unknown>;
      try {
        args = json ? (JSON.parse(json) as Record<string, unknown>) : {};
      } catch (error) {
        ctx.print(`The arguments are not valid JSON: ${(error as Error).message}`);
        return 'failed';
      }
      const decision = await ctx.confirm(tool, args);
      if (!decision.approved) {
        ctx.print(`Not run: ${decision.reason}`);
        return 'failed';
      }
      try {
        const result = await ctx.pool.call(name, args);
        const text = (result.content ?? []).map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
        ctx.print(result.isError ? `Tool error: ${text}` : text);
        return result.isError ? 'failed' : 'ok';
      } catch (error) {
        ctx.print(`Call failed: ${(error as Error).message}`);
        return 'failed';
      }
    }
    default:
      ctx.print(
        `Unknown command ${command}. ${trimmed.startsWith('/') ? '' : 'Without an LLM configured (LLM_BASE_URL, LLM_MODEL), use the commands: '}/help`,
      );
      return 'failed';
  }
}
