/**
 * The HR server's tools (the reference demo's, with its gaps filled: approve/reject leave, reviews).
 * Every write validates everything first and then writes in one transaction; who acted comes from
 * the token. Tools apply the grants the server hands them (`context.access`): salary only with `pay`,
 * contact details and notes only with `personal`, and only the caller's own rows with `rows: self`.
 */
import type { ServerAccess } from '@mcp-auth/auth';
import { type Database, nextId, type PlainSql, plainSql } from '@mcp-auth/database';
import { z } from 'zod';
import { type Actor, actorOf } from '../common/actor.js';
import { daysBetween, isoDate, today } from '../common/dates.js';
import { clean, listOutput, readRecords, recordOutput, result, toolWriter, where } from '../common/records.js';
import { defineTool, type ToolContext, type ToolDefinition, ToolError } from '../tool-definition.js';
import { EMPLOYEE_STATUSES, LEAVE_TYPES, PAY_FIELDS, PERSONAL_FIELDS } from './hr-schema.js';

type Row = Record<string, unknown>;

const employeeId = () => z.string().regex(/^EMP-\d{3,}$/, 'must look like EMP-001');
const text = (max: number) => z.string().trim().min(1).max(max);

/** Removes the fields this caller's grants do not cover. Without grants, nothing sensitive shows. */
function redact(row: Row, access: ServerAccess | undefined): Row {
  const out = { ...row };
  if (!access?.fields.has('pay')) for (const f of PAY_FIELDS) delete out[f];
  if (!access?.fields.has('personal')) for (const f of PERSONAL_FIELDS) delete out[f];
  return out;
}

/** With `rows: self`, the caller's own employee id (required); otherwise undefined (all rows). */
function selfScope(context: ToolContext, actor: Actor): string | undefined {
  if (context.access?.rows !== 'self') return undefined;
  if (!actor.employeeId) throw new ToolError('Your token carries no employee id (id claim), so there are no records of yours to show');
  return actor.employeeId;
}

export function createHrTools(database: Database<unknown>): ToolDefinition[] {
  const q = plainSql(database);
  const write = toolWriter(database, 'hr');
  const requireEmployee = async (q: PlainSql, id: string) => {
    const row = await q.get<{ id: string; status: string }>('SELECT id, status FROM employees WHERE id = ?', [id]);
    if (!row) throw new ToolError(`No employee ${id}`);
    return row;
  };

  const addEmployee = defineTool({
    name: 'add_employee_record',
    title: 'Add an employee',
    description: 'Adds an employee record. Salary can be set only by roles allowed to see pay data.',
    inputSchema: {
      first_name: text(100),
      last_name: text(100),
      email: z.email(),
      phone: text(40).optional(),
      department: text(100),
      position: text(100),
      hire_date: isoDate(),
      salary: z.number().int().min(0).max(10_000_000).optional(),
      manager_id: employeeId().optional(),
      location: text(100).optional(),
      emergency_contact: text(100).optional(),
      emergency_phone: text(40).optional(),
      notes: z.string().max(2000).optional(),
    },
    outputSchema: recordOutput('employee'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async (args, context) => {
      const actor = actorOf(context.principal);
      if (args.salary !== undefined && !context.access?.fields.has('pay')) {
        throw new ToolError('Setting a salary needs access to pay data, which your role does not have; leave salary out');
      }
      if (args.manager_id) await requireEmployee(q, args.manager_id);
      if (await q.get('SELECT 1 FROM employees WHERE lower(email) = lower(?)', [args.email]))
        throw new ToolError(`An employee with email ${args.email} already exists`);
      const row = await write(async (q, trx) => {
        const id = await nextId(trx, 'employees', 'EMP', 3);
        await q.run(
          `INSERT INTO employees (id, first_name, last_name, email, phone, department, position, hire_date, salary, manager_id, location,
             emergency_contact, emergency_phone, notes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            args.first_name,
            args.last_name,
            args.email,
            args.phone ?? null,
            args.department,
            args.position,
            args.hire_date,
            args.salary ?? null,
            args.manager_id ?? null,
            args.location ?? null,
            args.emergency_contact ?? null,
            args.emergency_phone ?? null,
            args.notes ?? null,
            actor.subject,
            new Date().toISOString(),
          ],
        );
        return (await q.get('SELECT * FROM employees WHERE id = ?', [id])) as Row;
      });
      const employee = redact(clean(row), context.access);
      return result(`Added ${employee.first_name} ${employee.last_name} as ${employee.id}.`, { employee });
    },
  });

  const getEmployees = defineTool({
    name: 'get_employee_records',
    title: 'Employee records',
    description: 'Lists employee records, optionally one employee or filtered by department or status.',
    inputSchema: {
      employee_id: employeeId().optional(),
      department: text(100).optional(),
      status: z.enum(EMPLOYEE_STATUSES).optional(),
    },
    outputSchema: listOutput('employees'),
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args, context) => {
      const self = selfScope(context, actorOf(context.principal));
      if (self && args.employee_id && args.employee_id !== self) throw new ToolError('You can see only your own record');
      const w = where({ id: self ?? args.employee_id, department: args.department, status: args.status });
      const rows = (await readRecords(q, `SELECT * FROM employees ${w.sql} ORDER BY seq`, w.params)).map((r) =>
        redact(r as Row, context.access),
      );
      return result(`${rows.length} employee record(s).`, { employees: rows, count: rows.length });
    },
  });

  const createLeave = defineTool({
    name: 'create_leave_request',
    title: 'Request leave',
    description: 'Creates a pending leave request. A one-day leave has the same start and end date. Annual leave must fit the balance.',
    inputSchema: {
      employee_id: employeeId().optional().describe("Defaults to the caller's own employee id"),
      leave_type: z.enum(LEAVE_TYPES),
      start_date: isoDate(),
      end_date: isoDate(),
      reason: text(500),
      notes: z.string().max(2000).optional(),
    },
    outputSchema: recordOutput('leave_request'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async (args, context) => {
      const actor = actorOf(context.principal);
      const employee = args.employee_id ?? actor.employeeId;
      if (!employee) throw new ToolError('Name the employee (employee_id): your token carries no employee id');
      if (args.end_date < args.start_date) throw new ToolError('end_date is before start_date');
      const days = daysBetween(args.start_date, args.end_date) + 1;
      const row = await write(async (q, trx) => {
        const who = await requireEmployee(q, employee);
        if (who.status === 'terminated') throw new ToolError(`${employee} is no longer employed`);
        const overlap = (await q.get(
          `SELECT id FROM leave_requests WHERE employee_id = ? AND status IN ('pending', 'approved') AND start_date <= ? AND end_date >= ?`,
          [employee, args.end_date, args.start_date],
        )) as { id: string } | undefined;
        if (overlap) throw new ToolError(`This overlaps leave request ${overlap.id}`);
        if (args.leave_type === 'annual') {
          const { balance, pending } = (await q.get(
            `SELECT e.annual_leave_balance AS balance,
                 CAST(coalesce((SELECT sum(days) FROM leave_requests WHERE employee_id = e.id AND leave_type = 'annual' AND status = 'pending'), 0) AS INTEGER) AS pending
               FROM employees e WHERE e.id = ?`,
            [employee],
          )) as { balance: number; pending: number };
          if (days > balance - pending)
            throw new ToolError(
              `${days} day(s) of annual leave exceed the ${balance - pending} left (balance ${balance}, pending ${pending})`,
            );
        }
        const id = await nextId(trx, 'leave_requests', 'LR', 4);
        await q.run(
          `INSERT INTO leave_requests (id, employee_id, leave_type, start_date, end_date, days, reason, notes, requested_by, requested_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            employee,
            args.leave_type,
            args.start_date,
            args.end_date,
            days,
            args.reason,
            args.notes ?? null,
            actor.subject,
            new Date().toISOString(),
          ],
        );
        return (await q.get('SELECT * FROM leave_requests WHERE id = ?', [id])) as Row;
      });
      const request = clean(row);
      return result(`Leave request ${request.id} for ${employee}: ${days} day(s), pending approval.`, { leave_request: request });
    },
  });

  const getLeave = defineTool({
    name: 'get_leave_requests',
    title: 'Leave requests',
    description: 'Lists leave requests, optionally for one employee or with one status.',
    inputSchema: { employee_id: employeeId().optional(), status: z.enum(['pending', 'approved', 'rejected']).optional() },
    outputSchema: listOutput('leave_requests'),
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args, context) => {
      const self = selfScope(context, actorOf(context.principal));
      if (self && args.employee_id && args.employee_id !== self) throw new ToolError('You can see only your own leave requests');
      const w = where({ employee_id: self ?? args.employee_id, status: args.status });
      const rows = await readRecords(q, `SELECT * FROM leave_requests ${w.sql} ORDER BY seq`, w.params);
      return result(`${rows.length} leave request(s).`, { leave_requests: rows, count: rows.length });
    },
  });

  async function decide(requestId: string, decision: 'approved' | 'rejected', notes: string | undefined, context: ToolContext) {
    const actor = actorOf(context.principal);
    const row = await write(async (q) => {
      const request = (await q.get('SELECT * FROM leave_requests WHERE id = ?', [requestId])) as Row | undefined;
      if (!request) throw new ToolError(`No leave request ${requestId}`);
      if (request.status !== 'pending') throw new ToolError(`Leave request ${requestId} was already ${request.status}`);
      if (actor.employeeId && request.employee_id === actor.employeeId) throw new ToolError('You cannot decide your own leave request');
      if (decision === 'approved' && request.leave_type === 'annual') {
        const balance = (
          (await q.get('SELECT annual_leave_balance AS b FROM employees WHERE id = ?', [request.employee_id as string])) as { b: number }
        ).b;
        if ((request.days as number) > balance)
          throw new ToolError(`Approving would exceed the annual leave balance (${balance} day(s) left)`);
        await q.run('UPDATE employees SET annual_leave_balance = annual_leave_balance - ? WHERE id = ?', [
          request.days as number,
          request.employee_id as string,
        ]);
      }
      await q.run('UPDATE leave_requests SET status = ?, decided_by = ?, decided_at = ?, decision_notes = ? WHERE id = ?', [
        decision,
        actor.subject,
        new Date().toISOString(),
        notes ?? null,
        requestId,
      ]);
      return (await q.get('SELECT * FROM leave_requests WHERE id = ?', [requestId])) as Row;
    });
    return result(`Leave request ${requestId} ${decision} by ${actor.subject}.`, { leave_request: clean(row) });
  }

  const approveLeave = defineTool({
    name: 'approve_leave_request',
    title: 'Approve leave',
    description: 'Approves a pending leave request (not your own). Annual leave is taken off the balance.',
    inputSchema: { request_id: z.string().regex(/^LR-\d{4,}$/, 'must look like LR-0001'), notes: z.string().max(2000).optional() },
    outputSchema: recordOutput('leave_request'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async (args, context) => decide(args.request_id, 'approved', args.notes, context),
  });

  const rejectLeave = defineTool({
    name: 'reject_leave_request',
    title: 'Reject leave',
    description: 'Rejects a pending leave request (not your own), with a reason.',
    inputSchema: { request_id: z.string().regex(/^LR-\d{4,}$/, 'must look like LR-0001'), reason: text(2000) },
    outputSchema: recordOutput('leave_request'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async (args, context) => decide(args.request_id, 'rejected', args.reason, context),
  });

  const createReview = defineTool({
    name: 'create_performance_review',
    title: 'Write a performance review',
    description:
      'Records a performance review for a period (e.g. 2026-H1); the reviewer is the caller. One review per employee and period.',
    inputSchema: {
      employee_id: employeeId(),
      period: z.string().regex(/^\d{4}-(H1|H2|Q[1-4])$/, 'must look like 2026-H1 or 2026-Q3'),
      rating: z.number().int().min(1).max(5),
      strengths: text(2000),
      improvements: text(2000),
      goals: text(2000),
    },
    outputSchema: recordOutput('review'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async (args, context) => {
      const actor = actorOf(context.principal);
      if (actor.employeeId === args.employee_id) throw new ToolError('You cannot review yourself');
      const row = await write(async (q, trx) => {
        await requireEmployee(q, args.employee_id);
        if (await q.get('SELECT 1 FROM performance_reviews WHERE employee_id = ? AND period = ?', [args.employee_id, args.period])) {
          throw new ToolError(`${args.employee_id} already has a review for ${args.period}`);
        }
        const id = await nextId(trx, 'performance_reviews', 'REV', 4);
        await q.run(
          'INSERT INTO performance_reviews (id, employee_id, period, rating, strengths, improvements, goals, reviewer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            id,
            args.employee_id,
            args.period,
            args.rating,
            args.strengths,
            args.improvements,
            args.goals,
            actor.subject,
            new Date().toISOString(),
          ],
        );
        return (await q.get('SELECT * FROM performance_reviews WHERE id = ?', [id])) as Row;
      });
      return result(`Review ${row.id} recorded for ${args.employee_id} (${args.period}).`, { review: clean(row) });
    },
  });

  const getReviews = defineTool({
    name: 'get_performance_reviews',
    title: 'Performance reviews',
    description: 'Lists performance reviews, optionally for one employee or period.',
    inputSchema: { employee_id: employeeId().optional(), period: text(10).optional() },
    outputSchema: listOutput('reviews'),
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args, context) => {
      const self = selfScope(context, actorOf(context.principal));
      if (self && args.employee_id && args.employee_id !== self) throw new ToolError('You can see only your own reviews');
      const w = where({ employee_id: self ?? args.employee_id, period: args.period });
      const rows = await readRecords(q, `SELECT * FROM performance_reviews ${w.sql} ORDER BY seq`, w.params);
      return result(`${rows.length} review(s).`, { reviews: rows, count: rows.length });
    },
  });

  const summary = defineTool({
    name: 'get_hr_summary',
    title: 'HR summary',
    description: 'Headcount by department and status, leave requests by status, reviews; average salary only for roles that see pay.',
    inputSchema: {},
    outputSchema: {
      as_of: z.string(),
      headcount: z.number().int(),
      by_department: z.array(z.looseObject({ department: z.string(), headcount: z.number() })),
      by_status: z.array(z.looseObject({})),
      leave_requests: z.array(z.looseObject({})),
      reviews: z.number().int(),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (_args, context) => {
      const byDepartment =
        (await q.all(`SELECT department, count(*) AS headcount, CAST(round(avg(salary)) AS INTEGER) AS average_salary FROM employees WHERE status != 'terminated'
           GROUP BY department ORDER BY department`)) as Row[];
      const data = {
        as_of: today(),
        headcount: ((await q.get("SELECT count(*) AS n FROM employees WHERE status != 'terminated'")) as { n: number }).n,
        by_department: byDepartment.map((d) =>
          redact({ department: d.department, headcount: d.headcount, salary: d.average_salary }, context.access),
        ),
        by_status: (await q.all('SELECT status, count(*) AS count FROM employees GROUP BY status ORDER BY status')).map((r) =>
          clean(r as Row),
        ),
        leave_requests: (
          await q.all(
            'SELECT status, count(*) AS count, CAST(sum(days) AS INTEGER) AS days FROM leave_requests GROUP BY status ORDER BY status',
          )
        ).map((r) => clean(r as Row)),
        reviews: ((await q.get('SELECT count(*) AS n FROM performance_reviews')) as { n: number }).n,
      };
      return result(`HR summary: ${data.headcount} people in ${byDepartment.length} departments.`, data);
    },
  });

  return [addEmployee, getEmployees, createLeave, getLeave, approveLeave, rejectLeave, createReview, getReviews, summary];
}
