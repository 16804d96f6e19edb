/**
 * The project server's tools (the reference demo's, with milestones exposed and its bugs fixed:
 * validation before any write, cancelled and completed tasks never overdue, progress as JSON).
 * The assignee's name comes from the team table and the creator from the token, not from arguments.
 */
import { type Database, nextId, type PlainSql, plainSql } from '@mcp-auth/database';
import { z } from 'zod';
import { actorOf } from '../common/actor.js';
import { daysBetween, isoDate, today } from '../common/dates.js';
import { clean, listOutput, readRecords, recordOutput, result, toolWriter, where } from '../common/records.js';
import { defineTool, type ToolDefinition, ToolError } from '../tool-definition.js';
import { PRIORITIES, TASK_STATES, type TaskState, TRANSITIONS } from './project-schema.js';

type Row = Record<string, unknown>;
const projectId = () => z.string().regex(/^PROJ-\d{3,}$/, 'must look like PROJ-001');
const taskId = () => z.string().regex(/^TASK-\d{3,}$/, 'must look like TASK-001');
const text = (max: number) => z.string().trim().min(1).max(max);

/** A task as answered: its JSON `tags` parsed. `t` is already clean (no NULLs, no seq). */
function taskOf(t: Row): Row {
  return { ...t, tags: JSON.parse(String(t.tags ?? '[]')) };
}
const task = (row: Row): Row => taskOf(clean(row));

export function createProjectTools(database: Database<unknown>): ToolDefinition[] {
  const q = plainSql(database);
  const write = toolWriter(database, 'projects');
  const requireProject = async (q: PlainSql, id: string) => {
    const row = (await q.get('SELECT * FROM projects WHERE id = ?', [id])) as Row | undefined;
    if (!row) throw new ToolError(`No project ${id}`);
    return row;
  };
  const taskWithAssignee = (q: PlainSql, id: string) =>
    q.get<Row>('SELECT t.*, m.name AS assignee_name FROM tasks t JOIN team_members m ON m.id = t.assigned_to WHERE t.id = ?', [id]);

  const createTask = defineTool({
    name: 'create_project_task',
    title: 'Create a task',
    description: 'Creates a task in a project, assigned to a team member by id (e.g. EMP-003). The creator is the caller.',
    inputSchema: {
      project_id: projectId(),
      task_name: text(200),
      description: text(4000),
      assigned_to: z.string().regex(/^EMP-\d{3,}$/, 'must be a team member id like EMP-003'),
      priority: z.enum(PRIORITIES),
      estimated_hours: z.number().positive().max(10_000),
      due_date: isoDate(),
      tags: z.array(text(40)).max(20).optional(),
      notes: z.string().max(4000).optional(),
    },
    outputSchema: recordOutput('task'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async (args, context) => {
      const actor = actorOf(context.principal);
      const row = await write(async (q, trx) => {
        const project = await requireProject(q, args.project_id);
        if (project.status === 'completed') throw new ToolError(`Project ${args.project_id} is completed; reopen it before adding tasks`);
        if (!(await q.get('SELECT 1 FROM team_members WHERE id = ?', [args.assigned_to])))
          throw new ToolError(`No team member ${args.assigned_to}`);
        const id = await nextId(trx, 'tasks', 'TASK', 3);
        await q.run(
          `INSERT INTO tasks (id, project_id, task_name, description, assigned_to, priority, estimated_hours, due_date, tags, notes, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            args.project_id,
            args.task_name,
            args.description,
            args.assigned_to,
            args.priority,
            args.estimated_hours,
            args.due_date,
            JSON.stringify(args.tags ?? []),
            args.notes ?? null,
            actor.subject,
            new Date().toISOString(),
          ],
        );
        return (await taskWithAssignee(q, id)) as Row;
      });
      return result(`Created ${row.id} in ${args.project_id}, assigned to ${row.assignee_name}.`, { task: task(row) });
    },
  });

  const getTasks = defineTool({
    name: 'get_project_tasks',
    title: 'Project tasks',
    description: 'Lists tasks, optionally one task, or filtered by project, state or assignee.',
    inputSchema: {
      task_id: taskId().optional(),
      project_id: projectId().optional(),
      state: z.enum(TASK_STATES).optional(),
      assigned_to: text(20).optional(),
    },
    outputSchema: listOutput('tasks'),
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args) => {
      const w = where({ 't.id': args.task_id, 't.project_id': args.project_id, 't.state': args.state, 't.assigned_to': args.assigned_to });
      const rows = (
        await readRecords(
          q,
          `SELECT t.*, m.name AS assignee_name FROM tasks t JOIN team_members m ON m.id = t.assigned_to ${w.sql} ORDER BY t.seq`,
          w.params,
        )
      ).map(taskOf);
      return result(`${rows.length} task(s).`, { tasks: rows, count: rows.length });
    },
  });

  const updateState = defineTool({
    name: 'update_task_state',
    title: 'Update a task',
    description: `Moves a task to a new state and records hours and progress. Allowed moves: ${Object.entries(TRANSITIONS)
      .map(([from, to]) => `${from} -> ${to.join('|')}`)
      .join('; ')}. Completing sets progress to 100.`,
    inputSchema: {
      task_id: taskId(),
      new_state: z.enum(TASK_STATES),
      actual_hours: z.number().min(0).max(100_000).optional(),
      progress_percentage: z.number().int().min(0).max(100).optional(),
      notes: z.string().max(4000).optional(),
    },
    outputSchema: recordOutput('task'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async (args, context) => {
      const actor = actorOf(context.principal);
      const row = await write(async (q) => {
        const current = (await q.get('SELECT * FROM tasks WHERE id = ?', [args.task_id])) as Row | undefined;
        if (!current) throw new ToolError(`No task ${args.task_id}`);
        const from = current.state as TaskState;
        // Validate everything before writing anything (the reference demo wrote first).
        if (args.new_state !== from && !TRANSITIONS[from].includes(args.new_state)) {
          throw new ToolError(`A ${from} task cannot move to ${args.new_state}; allowed: ${TRANSITIONS[from].join(', ') || 'none'}`);
        }
        let progress = args.progress_percentage ?? (current.progress_percentage as number);
        if (args.new_state === 'completed') {
          if (args.progress_percentage !== undefined && args.progress_percentage !== 100)
            throw new ToolError('A completed task is 100% done');
          progress = 100;
        }
        if (args.new_state === 'todo' && args.progress_percentage === undefined) progress = 0;
        await q.run(
          'UPDATE tasks SET state = ?, progress_percentage = ?, actual_hours = ?, notes = coalesce(?, notes), updated_by = ?, updated_at = ? WHERE id = ?',
          [
            args.new_state,
            progress,
            args.actual_hours ?? (current.actual_hours as number),
            args.notes ?? null,
            actor.subject,
            new Date().toISOString(),
            args.task_id,
          ],
        );
        return (await taskWithAssignee(q, args.task_id)) as Row;
      });
      return result(`${args.task_id} is now ${row.state} (${row.progress_percentage}%).`, { task: task(row) });
    },
  });

  const progress = defineTool({
    name: 'get_task_progress',
    title: 'Task progress',
    description: 'Progress of one task: state, percentage, hours spent and left, and how far the due date is.',
    inputSchema: { task_id: taskId() },
    outputSchema: {
      task_id: z.string(),
      task_name: z.string(),
      state: z.enum(TASK_STATES),
      progress_percentage: z.number(),
      estimated_hours: z.number(),
      actual_hours: z.number(),
      remaining_hours: z.number(),
      due_date: z.string(),
      days_until_due: z.number().int(),
      overdue: z.boolean(),
      assigned_to: z.string(),
      assignee_name: z.string(),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args) => {
      const t = (await taskWithAssignee(q, args.task_id)) as Row | undefined;
      if (!t) throw new ToolError(`No task ${args.task_id}`);
      const daysUntilDue = daysBetween(today(), String(t.due_date));
      const open = t.state !== 'completed' && t.state !== 'cancelled';
      const data = {
        task_id: t.id,
        task_name: t.task_name,
        state: t.state,
        progress_percentage: t.progress_percentage,
        estimated_hours: t.estimated_hours,
        actual_hours: t.actual_hours,
        remaining_hours: Math.max(0, (t.estimated_hours as number) - (t.actual_hours as number)),
        due_date: t.due_date,
        days_until_due: daysUntilDue,
        overdue: open && daysUntilDue < 0,
        assigned_to: t.assigned_to,
        assignee_name: t.assignee_name,
      };
      return result(
        `${t.id} is ${t.state}, ${t.progress_percentage}% done${data.overdue ? `, ${-daysUntilDue} day(s) overdue` : ''}.`,
        data,
      );
    },
  });

  const overdue = defineTool({
    name: 'get_overdue_tasks',
    title: 'Overdue tasks',
    description: 'Open tasks past their due date. Completed and cancelled tasks are never overdue.',
    inputSchema: { project_id: projectId().optional() },
    outputSchema: { as_of: z.string(), ...listOutput('tasks') },
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args) => {
      const day = today();
      const rows = (
        (await q.all(
          `SELECT t.*, m.name AS assignee_name FROM tasks t JOIN team_members m ON m.id = t.assigned_to
             WHERE t.due_date < ? AND t.state NOT IN ('completed', 'cancelled') AND (CAST(? AS TEXT) IS NULL OR t.project_id = ?) ORDER BY t.due_date`,
          [day, args.project_id ?? null, args.project_id ?? null],
        )) as Row[]
      ).map((r) => ({ ...task(r), days_overdue: daysBetween(String(r.due_date), day) }));
      return result(`${rows.length} overdue task(s).`, { as_of: day, tasks: rows, count: rows.length });
    },
  });

  const createMilestone = defineTool({
    name: 'create_milestone',
    title: 'Create a milestone',
    description: 'Adds a milestone to a project.',
    inputSchema: { project_id: projectId(), name: text(200), description: text(2000), due_date: isoDate() },
    outputSchema: recordOutput('milestone'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async (args, context) => {
      const actor = actorOf(context.principal);
      const row = await write(async (q, trx) => {
        await requireProject(q, args.project_id);
        const id = await nextId(trx, 'milestones', 'MS', 3);
        await q.run(
          'INSERT INTO milestones (id, project_id, name, description, due_date, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [id, args.project_id, args.name, args.description, args.due_date, actor.subject, new Date().toISOString()],
        );
        return (await q.get('SELECT * FROM milestones WHERE id = ?', [id])) as Row;
      });
      return result(`Milestone ${row.id} added to ${args.project_id}.`, { milestone: clean(row) });
    },
  });

  const getMilestones = defineTool({
    name: 'get_milestones',
    title: 'Milestones',
    description: 'Lists milestones, optionally for one project.',
    inputSchema: { project_id: projectId().optional() },
    outputSchema: listOutput('milestones'),
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args) => {
      const w = where({ project_id: args.project_id });
      const rows = await readRecords(q, `SELECT * FROM milestones ${w.sql} ORDER BY due_date`, w.params);
      return result(`${rows.length} milestone(s).`, { milestones: rows, count: rows.length });
    },
  });

  const summary = defineTool({
    name: 'get_project_summary',
    title: 'Project summary',
    description: 'Per project: tasks by state, average progress, overdue tasks, hours estimated and spent, next milestone.',
    inputSchema: { project_id: projectId().optional() },
    outputSchema: {
      as_of: z.string(),
      projects: z.array(z.looseObject({ id: z.string(), tasks_by_state: z.record(z.string(), z.number()) })),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args) => {
      const day = today();
      const w = where({ id: args.project_id });
      const projects = await readRecords(q, `SELECT * FROM projects ${w.sql} ORDER BY id`, w.params);
      if (args.project_id && projects.length === 0) throw new ToolError(`No project ${args.project_id}`);
      const summaries = [];
      for (const p of projects) {
        const states = (await q.all('SELECT state, count(*) AS count FROM tasks WHERE project_id = ? GROUP BY state', [
          p.id as string,
        ])) as Array<{ state: string; count: number }>;
        const totals = (await q.get(
          `SELECT count(*) AS tasks, CAST(round(avg(progress_percentage), 1) AS DOUBLE PRECISION) AS average_progress, sum(estimated_hours) AS estimated_hours, sum(actual_hours) AS actual_hours,
               sum(CASE WHEN due_date < ? AND state NOT IN ('completed', 'cancelled') THEN 1 ELSE 0 END) AS overdue
             FROM tasks WHERE project_id = ? AND state != 'cancelled'`,
          [day, p.id as string],
        )) as Row;
        const next = (await q.get(
          "SELECT id, name, due_date FROM milestones WHERE project_id = ? AND status = 'open' ORDER BY due_date LIMIT 1",
          [p.id as string],
        )) as Row | undefined;
        summaries.push({
          ...p,
          tasks_by_state: Object.fromEntries(states.map((s) => [s.state, s.count])),
          ...clean(totals),
          next_milestone: next ? clean(next) : null,
        });
      }
      return result(`${summaries.length} project(s).`, { as_of: day, projects: summaries });
    },
  });

  return [createTask, getTasks, updateState, progress, overdue, createMilestone, getMilestones, summary];
}
