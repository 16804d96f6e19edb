/**
 * The agent: identity -> job_role -> servers -> tools. It gets a token the way a real client would,
 * says who it is (never the token), connects to the servers the policy allows for that role, and then
 * either answers questions through an LLM tool loop or runs /commands, interactively or from a script.
 */
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { PolicyError } from '@mcp-auth/auth';
import { UsageError, withoutBlankValues } from '@mcp-auth/mcp-fastify';
import { type AgentOptions, parseAgentArgs, USAGE } from './args.js';
import { createConfirm } from './confirm.js';
import { terminalSecretPrompt } from './identity/ask-secret.js';
import { TokenRequestError } from './identity/client-credentials.js';
import { resolveIdentity } from './identity/resolve-identity.js';
import type { Credential, CredentialSource } from './identity/token-source.js';
import { llmSettings } from './llm/chat-completions.js';
import { ToolLoop } from './llm/tool-loop.js';
import { type CommandContext, describeServers, runCommand } from './repl/commands.js';
import { LineReader } from './repl/line-reader.js';
import { type Selection, selectByPolicy, singleServer } from './servers/select-servers.js';
import { ServerPool } from './servers/server-pool.js';
import { SettingError } from './servers/version-negotiation.js';

export interface AgentIo {
  input: Readable;
  output: Writable;
  /** Whether a person is at the terminal to answer prompts. */
  interactive: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

function whoami(credential: Credential, source: CredentialSource): string {
  const c = credential.claims;
  if (!c) return `authenticated with ${source.description}`;
  const name = typeof c.name === 'string' ? ` (${c.name})` : '';
  const role = typeof c.job_role === 'string' ? c.job_role : '(none)';
  const employee = typeof c.id === 'string' ? `, employee ${c.id}` : '';
  return `${String(c.sub)}${name}, job_role ${role}${employee}, via ${source.description}`;
}

function selectServers(options: AgentOptions, credential: Credential, env: AgentIo['env']): Selection {
  switch (options.identity.kind) {
    case 'api-key':
      return singleServer('apikey-server', options.identity.url);
    case 'jwt-client':
      return singleServer('jwt-server', options.identity.url);
    default:
      return selectByPolicy(typeof credential.claims?.job_role === 'string' ? credential.claims.job_role : undefined, env);
  }
}

function systemPrompt(who: string, selection: Selection): string {
  return [
    'You are an assistant for a company, acting for this user through MCP tools.',
    `User: ${who}.`,
    `Servers available: ${selection.targets.map((t) => t.name).join(', ') || 'none'}. Not permitted for this role: ${selection.denied.join(', ') || 'none'}.`,
    'Use the tools to answer. When a tool changes data the application asks the user for approval itself; just call it.',
    'If something is outside the available tools, say so plainly. Today is ' + new Date().toISOString().slice(0, 10) + '.',
  ].join('\n');
}

/** Runs the agent; resolves with the process exit code. */
export async function runAgent(argv: string[], io: AgentIo): Promise<number> {
  const print = (text: string) => io.output.write(`${text}\n`);
  // Blank means unset, as for the servers: compose passes `${AGENT_CLIENT_SECRET:-}` as "".
  const env = withoutBlankValues(io.env);
  let options: AgentOptions;
  let source: CredentialSource;
  let credential: Credential;
  let selection: Selection;
  try {
    options = parseAgentArgs(argv, env);
    if (options.help) {
      print(USAGE);
      return 0;
    }
    source = await resolveIdentity(options.identity, env, io.interactive ? terminalSecretPrompt(io.input, io.output) : undefined);
    credential = await source.current();
    selection = selectServers(options, credential, env);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      print(`agent: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (
      error instanceof TokenRequestError ||
      error instanceof PolicyError ||
      error instanceof SettingError ||
      (error as Error).name === 'KeyDirectoryError'
    ) {
      print(`agent: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }

  print(`You are ${whoami(credential, source)}.`);
  const pool = new ServerPool(source, () => print('(token expired: renewed it and retried)'), options.versionNegotiation);
  const reports = await pool.connect(selection.targets);
  print(describeServers(reports, selection.denied));

  const rl = io.interactive || !options.script ? new LineReader(io.input, io.output) : undefined;
  const confirm = createConfirm({ yes: options.yes, interactive: io.interactive, ask: rl, write: (t) => io.output.write(t) });
  const ctx: CommandContext = { pool, confirm, whoami: () => whoami(credential, source), reports, denied: selection.denied, print };
  const llm = llmSettings(env);
  const loop = llm ? new ToolLoop(llm, pool, confirm, systemPrompt(whoami(credential, source), selection), print) : undefined;
  print(loop ? `LLM mode (${llm?.model}). Ask a question, or use /help.` : 'Direct mode (no LLM configured). /help lists the commands.');

  const handle = async (line: string): Promise<'ok' | 'failed' | 'exit'> => {
    if (line.startsWith('/')) return runCommand(line, ctx);
    if (!loop) return runCommand(line, ctx);
    try {
      print(await loop.ask(line));
      return 'ok';
    } catch (error) {
      print(`LLM error: ${(error as Error).message}`);
      return 'failed';
    }
  };

  try {
    if (options.script) {
      for (const raw of readFileSync(options.script, 'utf8').split('\n')) {
        const line = raw.trim();
        if (!line || line.startsWith('#')) continue;
        print(`> ${line}`);
        const outcome = await handle(line);
        if (outcome === 'exit') break;
        if (outcome === 'failed') return 1;
      }
      return 0;
    }
    // Interactive, or lines piped in: the same loop; a piped run stops at the first failure.
    for (;;) {
      const next = await (rl as LineReader).question(io.interactive ? '> ' : '');
      if (next === undefined) return 0; // input ended
      const line = next.trim();
      if (!line) continue;
      const outcome = await handle(line);
      if (outcome === 'exit') return 0;
      if (outcome === 'failed' && !io.interactive) return 1;
    }
  } finally {
    rl?.close();
    await pool.close();
  }
}
