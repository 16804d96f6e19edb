// Method 3's servers enforce the RBAC policy themselves. The reference demo's servers accepted any
// valid token and left roles to the client, so an Officer could connect straight to the CRM and every
// role saw salaries. Here: each role against each server with every kind of client (SDK v2 in each
// era, SDK v1, legacy SSE), the tools each role sees and may call, refused calls, refused credentials
// and foreign sessions, hidden fields, writes attributed to the token, and data that survives restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createRs256TokenIssuer, DEFAULT_POLICY_PATH, loadKeySet, loadPolicy, writeKeyPair } from '@mcp-auth/auth';
import type { Database } from '@mcp-auth/database';
import { createCrmTools, createHrTools, createProjectTools, openCrmData, openHrData, openProjectData } from '@mcp-auth/tools';
import type { Tool } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createResourceServer, EnvReader, type FastifyInstance, readResourceServerConfig } from '../src/index.js';
import { CLIENT_KINDS, connectClient, type HttpExchange, isLegacyKind, MODERN_PROTOCOL_VERSION } from '../testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rbac-'));
const policy = loadPolicy(DEFAULT_POLICY_PATH);
const logs: string[] = [];
const logger = createLogger({
  level: 'info',
  destination: new Writable({
    write(c, _e, done) {
      logs.push(String(c));
      done();
    },
  }),
});

const SERVERS = {
  'hr-server': { open: openHrData, tools: createHrTools },
  'project-server': { open: openProjectData, tools: createProjectTools },
  'crm-server': { open: openCrmData, tools: createCrmTools },
} as const;
type ServerName = keyof typeof SERVERS;
const running: Record<string, { app: FastifyInstance; db: Database<unknown>; url: string }> = {};

async function start(name: ServerName) {
  const env = new EnvReader({
    PORT: '0',
    PUBLIC_URL: 'http://127.0.0.1:1',
    DATA_DIR: dir,
    PUBLIC_KEY_FILE: join(dir, 'keys', 'public.pem'),
    LOG_LEVEL: 'info',
  });
  const config = readResourceServerConfig(env, { port: 0, service: name });
  env.finish();
  const db = await SERVERS[name].open(config.database);
  const app = await createResourceServer({ name, title: name, config, tools: SERVERS[name].tools(db), logger });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  running[name] = { app, db, url };
}
async function stop(name: ServerName) {
  await running[name]?.app.close();
  await running[name]?.db.close();
}

let sign: (claims: Record<string, unknown>) => Promise<string>;
beforeAll(async () => {
  writeKeyPair(join(dir, 'keys'));
  const keys = loadKeySet(join(dir, 'keys'));
  const issuer = createRs256TokenIssuer({ keys: { current: () => keys.signing }, issuer: 'http://127.0.0.1:8000', ttlSeconds: 600 });
  sign = async (claims) => (await issuer.issue({ subject: String(claims.sub), audience: 'my-mcp-server', scope: 'mcp', claims })).token;
  for (const name of Object.keys(SERVERS) as ServerName[]) await start(name);
});
afterAll(async () => {
  for (const name of Object.keys(SERVERS) as ServerName[]) await stop(name);
  rmSync(dir, { recursive: true, force: true });
});

const IDENTITIES = {
  Manager: { sub: 'alice', name: 'Alice', job_role: 'Manager', id: 'EMP-001' },
  AssistantManager: { sub: 'bob', name: 'Bob', job_role: 'AssistantManager', id: 'EMP-002' },
  Employee: { sub: 'carol', name: 'Carol', job_role: 'Employee', id: 'EMP-003' },
  Officer: { sub: 'oscar', name: 'Oscar', job_role: 'Officer' },
  'no role': { sub: 'nobody', name: 'Nobody' },
} as const;
type Who = keyof typeof IDENTITIES;
const tokenOf = (who: Who) => sign({ ...IDENTITIES[who] });

/** What the policy file says each role should see on each server (undefined: denied). */
function expectedTools(who: Who, server: ServerName): string[] | undefined {
  const role = IDENTITIES[who] as { job_role?: string };
  const grant = role.job_role ? policy.roles[role.job_role]?.access[server] : undefined;
  if (!grant) return undefined;
  const all = SERVERS[server].tools(running[server]?.db as Database<unknown>).map((t) => t.name);
  return (grant.tools === '*' ? all : grant.tools).slice().sort();
}

const call = async (server: ServerName, who: Who, name: string, args: Record<string, unknown> = {}) =>
  fetch(`${running[server]?.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await tokenOf(who)}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });
async function callJson(server: ServerName, who: Who, name: string, args: Record<string, unknown> = {}) {
  const res = await call(server, who, name, args);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    result?: { isError?: boolean; structuredContent?: Record<string, unknown>; content: Array<{ text: string }> };
    error?: { message: string };
  };
}

const ROLES: Who[] = ['Manager', 'AssistantManager', 'Employee', 'Officer', 'no role'];
const MATRIX = ROLES.flatMap((who) => (Object.keys(SERVERS) as ServerName[]).map((server) => [who, server] as const));

const SERVER_NAMES = Object.keys(SERVERS) as ServerName[];
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const auditedCalls = (since: number, tool: string) =>
  logs
    .slice(since)
    .join('')
    .split('\n')
    .filter((line) => line.includes('"event":"tool_call"'))
    .map((line) => JSON.parse(line) as { tool: string; decision: string; outcome: string })
    .filter((event) => event.tool === tool);
/** Read-only tools that need no arguments: each role can call these with `{}`. */
const callableWithoutArguments = (tools: Tool[]) =>
  tools.filter((t) => t.annotations?.readOnlyHint === true && !(t.inputSchema.required as string[] | undefined)?.length);

// One table: client kind x role x server, every era.
describe.each(CLIENT_KINDS)('role matrix with the %s client', (kind) => {
  it.each(MATRIX)("%s on %s: the policy's tools, allowed calls work, denied tools refused before they run", async (who, server) => {
    const expected = expectedTools(who, server);
    const exchanges: HttpExchange[] = [];
    const base = running[server]?.url as string;
    if (!expected) {
      await expect(connectClient(kind, base, { headers: bearer(await tokenOf(who)), exchanges })).rejects.toThrow();
      expect(exchanges.at(-1)).toMatchObject({ status: 403, wwwAuthenticate: expect.stringContaining('error="insufficient_scope"') });
      return;
    }
    const client = await connectClient(kind, base, { headers: bearer(await tokenOf(who)), exchanges });
    try {
      expect(client.era).toBe(isLegacyKind(kind) ? 'legacy' : 'modern');
      if (isLegacyKind(kind)) expect(client.sessionId).toEqual(expect.any(String));
      else expect(client.sessionId).toBeUndefined();

      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(expected);
      for (const tool of tools) expect(tool.annotations?.readOnlyHint, tool.name).toBeTypeOf('boolean');

      const callable = callableWithoutArguments(tools);
      expect(callable.length).toBeGreaterThan(0);
      for (const tool of callable) {
        const result = await client.callTool({ name: tool.name, arguments: {} });
        expect(result.isError, `${tool.name}: ${JSON.stringify(result.content)}`).toBeFalsy();
      }

      const role = (IDENTITIES[who] as { job_role?: string }).job_role;
      const all = SERVERS[server].tools(running[server]?.db as Database<unknown>).map((t) => t.name);
      for (const tool of all.filter((name) => !expected.includes(name))) {
        const since = logs.length;
        const refusal = `Tool ${tool} is not available to role ${role} on ${server}`;
        const call = client.callTool({ name: tool, arguments: {} });
        if (kind === 'v2-modern') {
          // Refused from the Mcp-Name header before the body is read: HTTP 403, the reason in the body.
          await expect(call).rejects.toSatisfy((e: unknown) => JSON.stringify(e).includes('403') && String(e).includes(refusal));
        } else {
          // The legacy eras: a JSON-RPC error -32602 naming the tool, the role and the server.
          await expect(call).rejects.toMatchObject({ code: -32602, message: expect.stringContaining(refusal) });
        }
        expect(auditedCalls(since, tool)).toEqual([expect.objectContaining({ decision: 'deny', outcome: 'denied' })]);
      }
    } finally {
      await client.close();
    }
  });

  it.each(SERVER_NAMES)('%s refuses an absent, a garbled and a forged credential with 401', async (server) => {
    const base = running[server]?.url as string;
    const forged = (await tokenOf('Manager')).replace(/\.[^.]+$/, '.c2lnbmF0dXJl');
    for (const headers of [{}, bearer('not-a-token'), bearer(forged)]) {
      const exchanges: HttpExchange[] = [];
      await expect(connectClient(kind, base, { headers, exchanges })).rejects.toThrow();
      expect(exchanges.at(-1)).toMatchObject({ status: 401, wwwAuthenticate: expect.stringMatching(/^Bearer /) });
    }
  });

  if (!isLegacyKind(kind)) {
    // 2026-07-28 Streamable HTTP: Mcp-Method/Mcp-Name must agree with the body, or 400 HeaderMismatch
    // (-32020), so that a gateway authorizing on the headers cannot be fooled. Nothing runs.
    it('a tools/call whose Mcp-Name names an allowed tool but whose body names another is 400 HeaderMismatch', async () => {
      const since = logs.length;
      const res = await fetch(`${running['hr-server']?.url}/mcp`, {
        method: 'POST',
        headers: {
          ...bearer(await tokenOf('AssistantManager')),
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': MODERN_PROTOCOL_VERSION,
          'mcp-method': 'tools/call',
          'mcp-name': 'get_leave_requests',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: {
            name: 'approve_leave_request',
            arguments: { request_id: 'LR-0004' },
            _meta: {
              'io.modelcontextprotocol/protocolVersion': MODERN_PROTOCOL_VERSION,
              'io.modelcontextprotocol/clientInfo': { name: 'matrix', version: '1' },
              'io.modelcontextprotocol/clientCapabilities': {},
            },
          },
        }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error?: { code: number } }).error?.code).toBe(-32020);
      expect(auditedCalls(since, 'approve_leave_request').filter((e) => e.outcome === 'ok')).toEqual([]);
    });
  }

  if (isLegacyKind(kind)) {
    it.each(SERVER_NAMES)("%s: another principal's session id is 404, and the owner's session keeps working", async (server) => {
      const base = running[server]?.url as string;
      const owner = await connectClient(kind, base, { headers: bearer(await tokenOf('Manager')) });
      try {
        // Same role, another person: only the session's binding to its principal stops this.
        const intruder = await sign({ sub: 'mallory', name: 'Mallory', job_role: 'Manager' });
        const sessionId = owner.sessionId as string;
        const foreign =
          kind === 'sse'
            ? await fetch(`${base}/messages?sessionId=${encodeURIComponent(sessionId)}`, {
                method: 'POST',
                headers: { ...bearer(intruder), 'content-type': 'application/json' },
                body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
              })
            : await fetch(`${base}/mcp`, {
                method: 'POST',
                headers: {
                  ...bearer(intruder),
                  'content-type': 'application/json',
                  accept: 'application/json, text/event-stream',
                  'mcp-session-id': sessionId,
                  'mcp-protocol-version': owner.protocolVersion as string,
                },
                body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
              });
        expect(foreign.status).toBe(404);
        expect((await owner.listTools()).tools.length).toBeGreaterThan(0);
      } finally {
        await owner.close();
      }
    });
  }
});

describe('HTTP-level answers', () => {
  it.each(MATRIX)('%s on %s: 200 or 403 insufficient_scope', async (who, server) => {
    const res = await fetch(`${running[server]?.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenOf(who)}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    if (expectedTools(who, server)) {
      expect(res.status).toBe(200);
    } else {
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    }
  });

  it('a token with a role name that is an Object.prototype key is denied too', async () => {
    const res = await fetch(`${running['hr-server']?.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await sign({ sub: 'x', job_role: '__proto__' })}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(403);
  });
});

describe('calls outside a role are refused and audited', () => {
  it.each([
    ['AssistantManager', 'approve_leave_request', { request_id: 'LR-0004' }],
    ['AssistantManager', 'reject_leave_request', { request_id: 'LR-0004', reason: 'no' }],
    [
      'Employee',
      'add_employee_record',
      { first_name: 'X', last_name: 'Y', email: 'x@y.example', department: 'X', position: 'Y', hire_date: '2026-01-01' },
    ],
    ['Employee', 'get_hr_summary', {}],
  ] as const)('%s calling %s on hr-server', async (who, tool, args) => {
    const body = await callJson('hr-server', who, tool, args);
    expect(body.error?.message).toBe(`Tool ${tool} is not available to role ${who} on hr-server`);
    const leave = await callJson('hr-server', 'Manager', 'get_leave_requests', {});
    expect(
      (leave.result?.structuredContent?.leave_requests as Array<{ id: string; status: string }> | undefined)?.find(
        (l) => l.id === 'LR-0004',
      )?.status,
    ).toBe('pending');
    expect(logs.join('')).toMatch(new RegExp(`"decision":"deny".*"tool":"${tool}"|"tool":"${tool}".*"decision":"deny"`));
  });

  it('project-server and crm-server refuse the roles they deny before any tool runs', async () => {
    expect((await call('crm-server', 'AssistantManager', 'get_crm_summary')).status).toBe(403);
    expect((await call('project-server', 'Employee', 'get_overdue_tasks')).status).toBe(403);
  });
});

describe('fields and rows each role may see', () => {
  const employees = async (who: Who, args: Record<string, unknown> = {}) =>
    (await callJson('hr-server', who, 'get_employee_records', args)).result?.structuredContent?.employees as Array<Record<string, unknown>>;

  it('Manager sees pay and personal fields of everyone', async () => {
    const rows = await employees('Manager');
    expect(rows.length).toBeGreaterThan(3);
    expect(rows[0]).toHaveProperty('salary');
    expect(rows[0]).toHaveProperty('phone');
  });

  it('AssistantManager sees personal fields but no pay, also in the summary', async () => {
    const rows = await employees('AssistantManager');
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(row).not.toHaveProperty('salary');
    expect(rows[0]).toHaveProperty('phone');
    const summary = (await callJson('hr-server', 'AssistantManager', 'get_hr_summary')).result;
    expect(JSON.stringify(summary)).not.toContain('salary');
    expect(JSON.stringify((await callJson('hr-server', 'Manager', 'get_hr_summary')).result)).toContain('salary');
  });

  it('AssistantManager cannot set a salary it could not read', async () => {
    const body = await callJson('hr-server', 'AssistantManager', 'add_employee_record', {
      first_name: 'Pay',
      last_name: 'Snoop',
      email: 'pay.snoop@example.com',
      department: 'Sales',
      position: 'Rep',
      hire_date: '2026-01-05',
      salary: 1,
    });
    expect(body.result?.isError).toBe(true);
    expect(body.result?.content[0]?.text).toContain('needs access to pay data');
  });

  it('Employee sees only their own record, without pay, and cannot ask for others', async () => {
    const rows = await employees('Employee');
    expect(rows.map((r) => r.id)).toEqual(['EMP-003']);
    expect(rows[0]).not.toHaveProperty('salary');
    const other = await callJson('hr-server', 'Employee', 'get_employee_records', { employee_id: 'EMP-001' });
    expect(other.result?.isError).toBe(true);
    const leave = (await callJson('hr-server', 'Employee', 'get_leave_requests')).result?.structuredContent?.leave_requests as Array<{
      employee_id: string;
    }>;
    expect(leave.length).toBeGreaterThan(0);
    expect(new Set(leave.map((l) => l.employee_id))).toEqual(new Set(['EMP-003']));
  });
});

describe('identity comes from the token', () => {
  it('a task records the token subject as creator, whatever the arguments claim', async () => {
    const body = await callJson('project-server', 'Manager', 'create_project_task', {
      project_id: 'PROJ-001',
      task_name: 'Audit trail',
      description: 'Created by alice, arguments claim mallory',
      assigned_to: 'EMP-003',
      priority: 'low',
      estimated_hours: 2,
      due_date: '2030-01-01',
      created_by: 'mallory',
      assignee_name: 'Mallory',
    });
    const task = body.result?.structuredContent?.task as Record<string, unknown>;
    expect(task.created_by).toBe('alice');
    expect(task.assignee_name).toBe('Carol Davis');
  });

  it('an interaction records the token subject, not a created_by argument', async () => {
    const body = await callJson('crm-server', 'Manager', 'record_interaction', {
      customer_id: 'CUST-001',
      interaction_type: 'call',
      subject: 'Check-in',
      description: 'Monthly call',
      outcome: 'positive',
      created_by: 'mallory',
    });
    expect((body.result?.structuredContent?.interaction as Record<string, unknown> | undefined)?.created_by).toBe('alice');
  });

  it('approving leave records the approver from the token and takes annual leave off the balance', async () => {
    const before = (await callJson('hr-server', 'Manager', 'get_employee_records', { employee_id: 'EMP-002' })).result?.structuredContent
      ?.employees as Array<{ annual_leave_balance: number }>;
    const body = await callJson('hr-server', 'Manager', 'approve_leave_request', { request_id: 'LR-0004', decided_by: 'mallory' });
    expect(body.result?.structuredContent?.leave_request).toMatchObject({ status: 'approved', decided_by: 'alice' });
    const after = (await callJson('hr-server', 'Manager', 'get_employee_records', { employee_id: 'EMP-002' })).result?.structuredContent
      ?.employees as Array<{ annual_leave_balance: number }>;
    expect(after[0]?.annual_leave_balance).toBe((before[0]?.annual_leave_balance as number) - 5);
  });
});

describe('data', () => {
  const countTasks = async () =>
    (await callJson('project-server', 'Manager', 'get_project_tasks')).result?.structuredContent?.count as number;

  it('invalid arguments are rejected with nothing written', async () => {
    const before = await countTasks();
    const valid = {
      project_id: 'PROJ-001',
      task_name: 'x',
      description: 'x',
      assigned_to: 'EMP-003',
      priority: 'low',
      estimated_hours: 1,
      due_date: '2030-01-01',
    };
    const bad = [
      { ...valid, assigned_to: 'EMP-999' },
      { ...valid, project_id: 'PROJ-404' },
      { ...valid, priority: 'urgent' },
      { ...valid, due_date: '2030-02-30' },
      { ...valid, task_name: '', estimated_hours: -1 },
    ];
    for (const args of bad) {
      const body = await callJson('project-server', 'Manager', 'create_project_task', args);
      expect(body.result?.isError ?? Boolean(body.error)).toBe(true);
    }
    expect(await countTasks()).toBe(before);
    // An illegal transition changes nothing (the reference demo wrote before validating).
    const bad2 = await callJson('project-server', 'Manager', 'update_task_state', {
      task_id: 'TASK-001',
      new_state: 'cancelled',
      actual_hours: 999,
    });
    expect(bad2.result?.isError).toBe(true);
    const task = (await callJson('project-server', 'Manager', 'get_task_progress', { task_id: 'TASK-001' })).result?.structuredContent;
    expect(task).toMatchObject({ state: 'completed', actual_hours: 18 });
  });

  it('cancelled and completed tasks are never overdue; a one-day leave is possible', async () => {
    const overdue = (await callJson('project-server', 'Manager', 'get_overdue_tasks')).result?.structuredContent?.tasks as Array<{
      id: string;
      state: string;
    }>;
    expect(overdue.map((t) => t.id).sort()).toEqual(['TASK-002', 'TASK-004']);
    const leave = await callJson('hr-server', 'Manager', 'create_leave_request', {
      employee_id: 'EMP-006',
      leave_type: 'personal',
      start_date: '2031-03-02',
      end_date: '2031-03-02',
      reason: 'Appointment',
    });
    expect(leave.result?.structuredContent?.leave_request).toMatchObject({ days: 1, status: 'pending', requested_by: 'alice' });
  });

  it('200 concurrent task creations give 200 rows, still there after a restart', async () => {
    const before = await countTasks();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        callJson('project-server', 'AssistantManager', 'create_project_task', {
          project_id: 'PROJ-002',
          task_name: `Load ${i}`,
          description: 'Concurrency check',
          assigned_to: 'EMP-002',
          priority: 'medium',
          estimated_hours: 1,
          due_date: '2030-06-01',
        }),
      ),
    );
    const ids = responses.map((r) => (r.result?.structuredContent?.task as { id: string } | undefined)?.id);
    expect(new Set(ids).size).toBe(200);
    expect(await countTasks()).toBe(before + 200);
    await stop('project-server');
    await start('project-server');
    expect(await countTasks()).toBe(before + 200);
  });
});
