// The LLM mode against a local server that speaks the chat-completions wire format with scripted
// replies: tool calls that run (and come back as tool messages), a reply that is only words, and a
// call to a tool the role may not use, which never reaches a server.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { embeddedConnection } from '@mcp-auth/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Deployment, deploy, startAgent } from './harness.js';

interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }>;
  tools?: Array<{ type: string; function: { name: string; description: string; parameters: unknown } }>;
}

let d: Deployment;
let llm: Server;
let llmUrl: string;
const requests: ChatRequest[] = [];
let script: Array<(request: ChatRequest) => Record<string, unknown>> = [];

const toolCall = (name: string, args: Record<string, unknown>) => ({
  choices: [
    {
      index: 0,
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: `call_${requests.length}`, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
      },
    },
  ],
});
const words = (content: string) => ({ choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }] });

beforeAll(async () => {
  d = await deploy();
  llm = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const request = JSON.parse(body) as ChatRequest;
    requests.push(request);
    if (req.headers.authorization !== 'Bearer llm-test-key') {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad key' } }));
      return;
    }
    const next = script.shift();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(next ? next(request) : words('(no more scripted replies)')));
  });
  await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
  llmUrl = `http://127.0.0.1:${(llm.address() as { port: number }).port}/v1`;
}, 60_000);
afterAll(async () => {
  llm.close();
  await d.close();
});

const llmEnv = () => ({ ...d.env, LLM_BASE_URL: llmUrl, LLM_API_KEY: 'llm-test-key', LLM_MODEL: 'test-model' });

describe('LLM tool loop', () => {
  it('answers "check the pipeline" through a tool call, then a plain follow-up, with memory', async () => {
    requests.length = 0;
    script = [
      () => toolCall('crm__get_crm_summary', {}),
      () => words('The weighted pipeline is 232,000.'),
      () => words('You asked about the pipeline.'),
    ];
    const run = startAgent(['--user', 'alice'], { env: llmEnv(), interactive: true });
    await expect.poll(() => run.output()).toContain('LLM mode (test-model)');
    run.input.write('How does our sales pipeline look?\n');
    await expect.poll(() => run.output()).toContain('The weighted pipeline is 232,000.');
    run.input.write('What did I just ask?\n');
    await expect.poll(() => run.output()).toContain('You asked about the pipeline.');
    run.input.write('/exit\n');
    expect(await run.exit).toBe(0);

    const [first, second, third] = requests;
    expect(first?.model).toBe('test-model');
    expect(first?.tools?.map((t) => t.function.name)).toContain('hr__approve_leave_request');
    expect(first?.messages[0]?.role).toBe('system');
    expect(first?.messages[0]?.content).toContain('job_role Manager');
    const toolMessage = second?.messages.find((m) => m.role === 'tool');
    expect(toolMessage?.content).toContain('weighted_pipeline');
    // short memory: the second question carries the first exchange
    expect(third?.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
      'How does our sales pipeline look?',
      'What did I just ask?',
    ]);
  });

  it('a tool the role may not use comes back to the model as an error and reaches no server', async () => {
    requests.length = 0;
    script = [() => toolCall('crm__get_crm_summary', {}), () => words('I cannot see CRM data with your role.')];
    const interactions = () =>
      (embeddedConnection(d.servers['crm-server'].db).prepare('SELECT count(*) AS n FROM interactions').get() as { n: number }).n;
    const before = interactions();
    const run = startAgent(['--user', 'carol'], { env: llmEnv(), interactive: true });
    await expect.poll(() => run.output()).toContain('LLM mode');
    run.input.write('Show me the pipeline\n');
    await expect.poll(() => run.output()).toContain('I cannot see CRM data with your role.');
    run.input.write('/exit\n');
    await run.exit;
    expect(requests[0]?.tools?.map((t) => t.function.name).sort()).toEqual([
      'hr__get_employee_records',
      'hr__get_leave_requests',
      'hr__get_performance_reviews',
    ]);
    const toolMessage = requests[1]?.messages.find((m) => m.role === 'tool');
    expect(toolMessage?.content).toContain('there is no tool crm.get_crm_summary available to this user');
    expect(interactions()).toBe(before);
  });

  it('asks the human before a write the model requests, and tells the model when declined', async () => {
    requests.length = 0;
    script = [
      () =>
        toolCall('project__create_project_task', {
          project_id: 'PROJ-001',
          task_name: 'LLM task',
          description: 'd',
          assigned_to: 'EMP-003',
          priority: 'low',
          estimated_hours: 1,
          due_date: '2031-01-01',
        }),
      () => words('OK, I did not create it.'),
    ];
    const count = () =>
      (
        embeddedConnection(d.servers['project-server'].db)
          .prepare("SELECT count(*) AS n FROM tasks WHERE task_name = 'LLM task'")
          .get() as { n: number }
      ).n;
    const run = startAgent(['--user', 'bob'], { env: llmEnv(), interactive: true });
    await expect.poll(() => run.output()).toContain('LLM mode');
    run.input.write('Create a task for PROJ-001\n');
    await expect.poll(() => run.output()).toContain('Run it? [y/N]');
    run.input.write('n\n');
    await expect.poll(() => run.output()).toContain('OK, I did not create it.');
    run.input.write('/exit\n');
    await run.exit;
    expect(requests[1]?.messages.find((m) => m.role === 'tool')?.content).toContain('Not run: declined at the prompt');
    expect(count()).toBe(0);
  });

  it('reports an unreachable or failing LLM endpoint plainly', async () => {
    const run = startAgent(['--user', 'alice'], { env: { ...llmEnv(), LLM_API_KEY: 'wrong' }, interactive: true });
    await expect.poll(() => run.output()).toContain('LLM mode');
    run.input.write('hello\n');
    await expect.poll(() => run.output()).toContain('LLM error: The LLM endpoint answered HTTP 401: bad key');
    run.input.write('/exit\n');
    expect(await run.exit).toBe(0);
  });
});
