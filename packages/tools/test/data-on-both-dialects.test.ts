// The HR, project and CRM tools on the embedded SQLite file and on a real PostgreSQL, called as the
// server calls them: the data is seeded once when two replicas start together; reads answer the
// same records and numbers (never numeric strings) on both; what must be unique regardless of case
// is; a write that checks first (overlapping leave) holds when many come at once through two
// replicas; ids from nextId do not collide.
import type { Principal, ServerAccess } from '@mcp-auth/auth';
import { type Database, type DatabaseSettings, openStore } from '@mcp-auth/database';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
// By path, as packages/database's own tests do.
import { postgresTarget, sqliteTarget } from '../../database/test/targets.js';
import { createCrmTools, prepareCrmData } from '../src/crm/index.js';
import { createHrTools, prepareHrData } from '../src/hr/index.js';
import { createProjectTools, prepareProjectData } from '../src/projects/index.js';
import type { ToolContext, ToolDefinition } from '../src/tool-definition.js';

const alice: Principal = {
  id: 'test#alice',
  method: 'jwt',
  subject: 'alice',
  clientId: 'alice',
  scopes: ['mcp'],
  role: 'Manager',
  claims: { id: 'EMP-001' },
};
const everything: ServerAccess = {
  role: 'Manager',
  roles: ['Manager'],
  tools: undefined,
  fields: new Set(['pay', 'personal']),
  rows: 'all',
};
const context: ToolContext = {
  principal: alice,
  access: everything,
  signal: new AbortController().signal,
  reportProgress: async () => {},
  log: async () => {},
};

/** Calls a tool the way the server does: arguments parsed by its schema, then the handler. */
async function call(tools: ToolDefinition[], name: string, args: Record<string, unknown> = {}) {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  const result = await tool.handler(z.object(tool.inputSchema).parse(args), context);
  return result.structuredContent as Record<string, unknown>;
}
const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the call to be refused');
};

for (const target of [sqliteTarget(), postgresTarget()]) {
  describe.skipIf(target.missing)(`the data tools on ${target.name} ${target.missing ?? ''}`, () => {
    const opened: Database<unknown>[] = [];
    const open = (settings: DatabaseSettings) => {
      const database = openStore<unknown>(settings);
      opened.push(database);
      return database;
    };
    beforeAll(() => target.start());
    afterAll(() => target.stop());
    afterEach(async () => {
      for (const database of opened.splice(0)) await database.close();
    });

    it('HR: seeded once by two replicas starting together; numbers are numbers; e-mail is unique in any case', async () => {
      const settings = target.fresh();
      // SQLite: one connection per file per process (a second would wait on the first with the thread blocked).
      const replicas = target.name === 'postgres' ? [open(settings), open(settings)] : [open(settings)];
      await Promise.all(replicas.map((r) => prepareHrData(r)));
      const [a, b = a] = replicas.map((r) => createHrTools(r)) as [ToolDefinition[], ToolDefinition[] | undefined];
      const employees = (await call(a, 'get_employee_records')).employees as Array<Record<string, unknown>>;
      expect(employees.map((e) => e.id)).toEqual(['EMP-001', 'EMP-002', 'EMP-003', 'EMP-004', 'EMP-005', 'EMP-006']);
      expect(employees[0]).toMatchObject({ first_name: 'Alice', salary: 185000, annual_leave_balance: 25 });
      expect(employees[0]).not.toHaveProperty('seq');
      const summary = await call(b, 'get_hr_summary');
      expect(summary.headcount).toBe(6);
      expect(summary.reviews).toBe(3);
      for (const d of summary.by_department as Array<Record<string, unknown>>) {
        expect(typeof d.headcount).toBe('number');
        expect(typeof d.salary).toBe('number');
      }
      for (const l of summary.leave_requests as Array<Record<string, unknown>>) expect(typeof l.days).toBe('number');
      const added = await call(a, 'add_employee_record', {
        first_name: 'Gus',
        last_name: 'Tan',
        email: 'gus.tan@example.com',
        department: 'Sales',
        position: 'Account Executive',
        hire_date: '2026-01-05',
      });
      expect((added.employee as Record<string, unknown>).id).toBe('EMP-007');
      const again = {
        first_name: 'Gus',
        last_name: 'Tan',
        email: 'Gus.Tan@Example.com',
        department: 'Sales',
        position: 'Account Executive',
        hire_date: '2026-01-05',
      };
      expect(await refusal(call(b, 'add_employee_record', again))).toContain('already exists');
    });

    it('HR: overlapping leave requested many times at once through two replicas is granted once', async () => {
      const settings = target.fresh();
      const replicas = target.name === 'postgres' ? [open(settings), open(settings)] : [open(settings)];
      await prepareHrData(replicas[0] as Database<unknown>);
      const tools = replicas.map((r) => createHrTools(r));
      const request = { employee_id: 'EMP-004', leave_type: 'sick', start_date: '2031-03-02', end_date: '2031-03-03', reason: 'Flu' };
      const outcomes = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => call(tools[i % tools.length] as ToolDefinition[], 'create_leave_request', request)),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(String(o.reason)).toContain('overlaps leave request');
      const listed = (await call(tools[0] as ToolDefinition[], 'get_leave_requests', { employee_id: 'EMP-004' }))
        .leave_requests as unknown[];
      expect(listed).toHaveLength(1);
    });

    it('projects: tasks get distinct ids, overdue tasks with and without a project, summary numbers', async () => {
      const database = open(target.fresh());
      await prepareProjectData(database);
      const tools = createProjectTools(database);
      const task = {
        project_id: 'PROJ-002',
        task_name: 'Tune ranking',
        description: 'Weights',
        assigned_to: 'EMP-003',
        priority: 'high',
        estimated_hours: 12,
        due_date: '2020-01-01',
      };
      const ids = await Promise.all(
        [1, 2, 3].map(async () => ((await call(tools, 'create_project_task', task)).task as { id: string }).id),
      );
      expect(new Set(ids).size).toBe(3);
      const overdue = (await call(tools, 'get_overdue_tasks')).tasks as Array<{ id: string; days_overdue: number }>;
      expect(overdue.map((t) => t.id)).toEqual(expect.arrayContaining([...ids, 'TASK-002', 'TASK-004']));
      expect(overdue.map((t) => t.id)).not.toContain('TASK-005'); // cancelled
      const inOne = (await call(tools, 'get_overdue_tasks', { project_id: 'PROJ-001' })).tasks as Array<{ id: string }>;
      expect(inOne.map((t) => t.id)).toEqual(['TASK-002']);
      const [portal] = (await call(tools, 'get_project_summary', { project_id: 'PROJ-001' })).projects as Array<Record<string, unknown>>;
      expect(portal).toMatchObject({ id: 'PROJ-001', tasks: 3, overdue: 1, estimated_hours: 72 });
      expect(typeof portal?.average_progress).toBe('number');
    });

    it('CRM: pipeline numbers are numbers; company names are unique in any case', async () => {
      const database = open(target.fresh());
      await prepareCrmData(database);
      const tools = createCrmTools(database);
      const summary = await call(tools, 'get_crm_summary');
      for (const key of ['open_opportunities', 'pipeline_value', 'weighted_pipeline', 'won_value', 'interactions_last_30_days'])
        expect(typeof summary[key]).toBe('number');
      const [first] = (await call(tools, 'get_customer_profiles')).customers as Array<{ company_name: string }>;
      const copy = {
        company_name: first?.company_name.toUpperCase(),
        contact_person: 'X',
        email_address: 'x@example.com',
        industry: 'Retail',
        company_size: '1-10',
        lead_source: 'web',
      };
      expect(await refusal(call(tools, 'add_customer_profile', copy))).toContain('is already a customer');
    });
  });
}
