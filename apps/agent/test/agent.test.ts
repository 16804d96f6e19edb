// The agent against a real deployment: it chooses servers from the token's role and the policy
// file, keeps going when a server is down, asks before writes (in code), renews expired tokens.
import { embeddedConnection } from '@mcp-auth/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Deployment, deploy, startAgent, writeScript } from './harness.js';

let d: Deployment;
beforeAll(async () => {
  d = await deploy({ tokenTtlSeconds: 3 });
}, 60_000);
afterAll(async () => d.close());

const countLeave = (employee: string) =>
  (
    embeddedConnection(d.servers['hr-server'].db)
      .prepare('SELECT count(*) AS n FROM leave_requests WHERE employee_id = ?')
      .get(employee) as { n: number }
  ).n;

async function script(argv: string[], lines: string[], interactive = false) {
  const run = startAgent([...argv, '--script', writeScript(d.dir, lines)], { env: d.env, interactive });
  return { code: await run.exit, output: run.output(), run };
}

describe('server selection by job_role, from the policy file', () => {
  it.each([
    ['alice', 'Manager', ['hr-server', 'project-server', 'crm-server'], [], 25],
    ['bob', 'AssistantManager', ['hr-server', 'project-server'], ['crm-server'], 15],
    ['carol', 'Employee', ['hr-server'], ['project-server', 'crm-server'], 3],
  ])('%s (%s)', async (user, role, connected, denied, toolCount) => {
    const { code, output } = await script(['--user', user], ['/whoami', '/tools']);
    expect(code).toBe(0);
    expect(output).toContain(`You are ${user} (${user[0]?.toUpperCase()}${user.slice(1)}), job_role ${role}`);
    for (const s of connected) expect(output).toMatch(new RegExp(`connected  ${s} `));
    for (const s of denied) expect(output).toContain(`not permitted  ${s}`);
    expect(output.match(/^ {2}[ *] \w+\.\w+/gm)).toHaveLength(toolCount);
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // the token itself is never printed
  });

  it('a dev token with an unknown role connects nowhere and says so', async () => {
    const { output } = await script(['--dev-token', '--sub', 'oscar', '--role', 'Officer'], ['/servers']);
    expect(output).toContain('job_role Officer, via a dev token signed locally');
    expect(output).toContain('not permitted  hr-server');
    expect(output).not.toContain('connected  ');
  });
});

describe('protocol era per server (AGENT_VERSION_NEGOTIATION)', () => {
  const servers = async (negotiation: string | undefined) => {
    const run = startAgent(['--user', 'carol', '--script', writeScript(d.dir, ['/servers'])], {
      env: { ...d.env, ...(negotiation === undefined ? {} : { AGENT_VERSION_NEGOTIATION: negotiation }) },
      interactive: false,
    });
    return { code: await run.exit, output: run.output() };
  };
  const hrUrl = () => `http://127.0.0.1:${d.servers['hr-server'].port}`;

  it('auto (the default) probes and lands on the era the server speaks, and says which', async () => {
    const { code, output } = await servers(undefined);
    expect(code).toBe(0);
    expect(output).toContain(`connected  hr-server (${hrUrl()}, streamable-http, modern era, MCP 2026-07-28)`);
  });

  it('legacy goes straight to the 2025-11-25 handshake', async () => {
    const { output } = await servers('legacy');
    expect(output).toContain(`connected  hr-server (${hrUrl()}, streamable-http, legacy era, MCP 2025-11-25)`);
  });

  it('a pinned 2026-07-28 is that revision or nothing: no fallback to 2025-11-25 or to SSE', async () => {
    const { output } = await servers('2026-07-28');
    expect(output).toContain(`connected  hr-server (${hrUrl()}, streamable-http, modern era, MCP 2026-07-28)`);
  });

  it('a value it does not know stops the agent with one sentence naming the choices', async () => {
    const { code, output } = await servers('2025-11-25');
    expect(code).toBe(1);
    expect(output.trim()).toBe(
      'agent: AGENT_VERSION_NEGOTIATION must be auto (probe, fall back to 2025-11-25), legacy (2025-11-25 initialize only) or a protocol version to pin (2026-07-28), not "2025-11-25"',
    );
  });
});

describe('dev tokens', () => {
  it("are signed with the iss the servers expect by default, the issuer's URL (ISSUER unset)", async () => {
    const run = startAgent(['--dev-token', '--sub', 'alice', '--role', 'Manager', '--script', writeScript(d.dir, ['/servers'])], {
      env: { ...d.env, ISSUER: '' },
      interactive: false,
    });
    expect(await run.exit).toBe(0);
    expect(run.output()).toMatch(/connected {2}hr-server /);
    expect(run.output()).toMatch(/connected {2}crm-server /);
  });
});

describe('asking before writes', () => {
  const leave = (start: string) =>
    `/call hr.create_leave_request {"employee_id":"EMP-006","leave_type":"unpaid","start_date":"${start}","end_date":"${start}","reason":"test"}`;

  it('a write declined at the prompt changes nothing', async () => {
    const before = countLeave('EMP-006');
    const run = startAgent(['--user', 'alice', '--script', writeScript(d.dir, [leave('2032-01-05')])], { env: d.env, interactive: true });
    await expect.poll(() => run.output()).toContain('Run it? [y/N]');
    expect(run.output()).toContain('server: hr-server');
    expect(run.output()).toContain('tool:   create_leave_request');
    expect(run.output()).toContain('"start_date":"2032-01-05"');
    run.input.write('n\n');
    expect(await run.exit).toBe(1);
    expect(run.output()).toContain('Not run: declined at the prompt; nothing was changed');
    expect(countLeave('EMP-006')).toBe(before);
  });

  it('a write approved at the prompt runs', async () => {
    const before = countLeave('EMP-006');
    const run = startAgent(['--user', 'alice', '--script', writeScript(d.dir, [leave('2032-02-05')])], { env: d.env, interactive: true });
    await expect.poll(() => run.output()).toContain('Run it? [y/N]');
    run.input.write('y\n');
    expect(await run.exit).toBe(0);
    expect(countLeave('EMP-006')).toBe(before + 1);
  });

  it('without a terminal and without --yes, writes are refused', async () => {
    const before = countLeave('EMP-006');
    const { code, output } = await script(['--user', 'alice'], [leave('2032-03-05')]);
    expect(code).toBe(1);
    expect(output).toContain('there is no terminal to confirm it (use --yes for scripted runs)');
    expect(countLeave('EMP-006')).toBe(before);
  });

  it('with --yes the write runs, attributed to the token subject', async () => {
    const { code, output } = await script(['--user', 'bob', '--yes'], [leave('2032-04-05')]);
    expect(code).toBe(0);
    expect(output).toContain('"requested_by": "bob"');
    const row = embeddedConnection(d.servers['hr-server'].db)
      .prepare("SELECT requested_by FROM leave_requests WHERE start_date = '2032-04-05'")
      .get() as {
      requested_by: string;
    };
    expect(row.requested_by).toBe('bob');
  });

  it('read-only tools run without asking; a script stops at the first failure', async () => {
    const { code, output } = await script(
      ['--user', 'carol'],
      ['/call hr.get_leave_requests {}', '/call hr.approve_leave_request {"request_id":"LR-0005"}', '/whoami'],
    );
    expect(code).toBe(1);
    expect(output).toContain('"employee_id": "EMP-003"');
    expect(output).toContain('No tool hr.approve_leave_request for you');
    expect(output).not.toContain('> /whoami');
  });
});

describe('tokens expire', () => {
  it('renews an expired token once, transparently, and goes on', async () => {
    const run = startAgent(['--user', 'alice'], { env: d.env, interactive: true });
    await expect.poll(() => run.output()).toContain('Direct mode');
    run.input.write('/call project.get_task_progress {"task_id":"TASK-002"}\n');
    await expect.poll(() => run.output()).toContain('"task_id": "TASK-002"');
    await new Promise((r) => setTimeout(r, 4000)); // the issuer's tokens live 3 s here
    run.input.write('/call crm.get_crm_summary {}\n');
    await expect.poll(() => run.output(), { timeout: 10_000 }).toContain('weighted_pipeline');
    expect(run.output()).toContain('(token expired: renewed it and retried)');
    run.input.write('/exit\n');
    expect(await run.exit).toBe(0);
  }, 30_000);
});

describe('a server down', () => {
  it('is reported, and the others keep working', async () => {
    await d.stop('crm-server');
    const { code, output } = await script(
      ['--user', 'alice'],
      ['/servers', '/call hr.get_hr_summary {}', '/call project.get_overdue_tasks {}'],
    );
    expect(code).toBe(0);
    expect(output).toContain(
      `skipped    crm-server: crm-server at http://127.0.0.1:${d.servers['crm-server'].port} is not reachable (ECONNREFUSED)`,
    );
    expect(output).not.toMatch(/crm-server.*role/); // a server that is down is not a refusal of the role
    expect(output).toContain('HR summary');
    expect(output).toContain('overdue task(s)');
  });
});

describe('secrets come from the environment, never from flags', () => {
  it.each([
    ['--secret', ['--user', 'alice', '--secret', 'mcps_x'], 'AGENT_CLIENT_SECRET'],
    ['--client-secret', ['--method', 'jwt', '--client-id', 'test_client', '--client-secret=mcps_x'], 'AGENT_CLIENT_SECRET'],
    ['--api-key', ['--method', 'apikey', '--api-key', 'mcpk_x'], 'MCP_API_KEY'],
  ])('%s is refused with a sentence naming the variable to use', async (flag, argv, variable) => {
    const run = startAgent(argv, { env: d.env, interactive: false });
    expect(await run.exit).toBe(2);
    expect(run.output()).toContain(`${flag} is refused: pnpm echoes command lines and ps shows them to every user. Set ${variable}`);
  });

  it('AGENT_CLIENT_SECRET="" (as docker compose passes it) counts as unset: the saved demo secret is used', async () => {
    const run = startAgent(['--user', 'alice', '--script', writeScript(d.dir, ['/whoami'])], {
      env: { ...d.env, AGENT_CLIENT_SECRET: '', MCP_API_KEY: '', LLM_BASE_URL: '', LLM_MODEL: '', HR_SERVER_URL: '' },
      interactive: false,
    });
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('You are alice (Alice), job_role Manager');
    expect(run.output()).toContain('connected  hr-server');
    expect(run.output()).toContain('Direct mode');
  });

  it('--help and -h print the usage and exit 0', async () => {
    for (const flag of ['--help', '-h']) {
      const run = startAgent([flag], { env: {}, interactive: false });
      expect(await run.exit).toBe(0);
      expect(run.output()).toContain('Usage: pnpm agent');
    }
  });
});
