/**
 * Demo projects, written once into an empty database. Due dates are relative to the first start, so
 * there is always overdue work to find (and a cancelled overdue task that must not be listed).
 */
import { type Database, exclusive, type PlainSql, plainSql, writeTransaction } from '@mcp-auth/database';
import { addDays, today } from '../common/dates.js';

/** Seeds an empty database, once however many processes or replicas start together. */
export async function seedProjects(database: Database<unknown>, now = new Date()): Promise<void> {
  const seeded = async (q: PlainSql) => ((await q.get<{ n: number }>('SELECT count(*) AS n FROM projects'))?.n ?? 0) > 0;
  if (await seeded(plainSql(database))) return;
  const day = today(now);
  const at = now.toISOString();
  await writeTransaction(database, async (trx) => {
    // SQLite's write transaction already holds the whole file; on PostgreSQL the lock makes the look below see a seed
    // another replica committed while this one waited.
    await exclusive(trx, 'tools:projects');
    const q = plainSql(trx);
    if (await seeded(q)) return;
    const project = 'INSERT INTO projects (id, name, description, status, start_date, end_date) VALUES (?, ?, ?, ?, ?, ?)';
    await q.run(project, [
      'PROJ-001',
      'Customer portal',
      'Self-service portal for enterprise customers',
      'active',
      addDays(day, -60),
      addDays(day, 60),
    ]);
    await q.run(project, [
      'PROJ-002',
      'Search rewrite',
      'Replace the legacy search with a vector index',
      'active',
      addDays(day, -30),
      addDays(day, 90),
    ]);
    await q.run(project, ['PROJ-003', 'Office move', 'Move the New York office', 'planning', addDays(day, 10), addDays(day, 120)]);
    const member = 'INSERT INTO team_members (id, name, title) VALUES (?, ?, ?)';
    await q.run(member, ['EMP-001', 'Alice Johnson', 'Head of Engineering']);
    await q.run(member, ['EMP-002', 'Bob Smith', 'Engineering Lead']);
    await q.run(member, ['EMP-003', 'Carol Davis', 'Software Engineer']);
    await q.run(member, ['EMP-006', 'Frank Wilson', 'HR Specialist']);
    const task = `INSERT INTO tasks (id, project_id, task_name, description, assigned_to, priority, state, estimated_hours, actual_hours, progress_percentage,
         due_date, tags, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'seed', ?)`;
    await q.run(task, [
      'TASK-001',
      'PROJ-001',
      'Login page',
      'SSO login for portal users',
      'EMP-003',
      'high',
      'completed',
      16,
      18,
      100,
      addDays(day, -20),
      '["frontend"]',
      at,
    ]);
    await q.run(task, [
      'TASK-002',
      'PROJ-001',
      'Invoice download',
      'PDF invoices per billing period',
      'EMP-003',
      'medium',
      'in_progress',
      24,
      10,
      40,
      addDays(day, -3),
      '["backend"]',
      at,
    ]);
    await q.run(task, [
      'TASK-003',
      'PROJ-001',
      'Usage dashboard',
      'Charts of API usage per month',
      'EMP-002',
      'medium',
      'todo',
      32,
      0,
      0,
      addDays(day, 14),
      '["frontend"]',
      at,
    ]);
    await q.run(task, [
      'TASK-004',
      'PROJ-002',
      'Embedding pipeline',
      'Batch job that embeds the catalogue',
      'EMP-002',
      'critical',
      'review',
      40,
      38,
      90,
      addDays(day, -1),
      '["ml"]',
      at,
    ]);
    await q.run(task, [
      'TASK-005',
      'PROJ-002',
      'Legacy index export',
      'Dropped: the vendor exports it for us',
      'EMP-003',
      'low',
      'cancelled',
      8,
      1,
      10,
      addDays(day, -10),
      '[]',
      at,
    ]);
    await q.run(task, [
      'TASK-006',
      'PROJ-003',
      'Floor plan',
      'Agree the seating plan',
      'EMP-006',
      'medium',
      'todo',
      6,
      0,
      0,
      addDays(day, 20),
      '["facilities"]',
      at,
    ]);
    const milestone =
      "INSERT INTO milestones (id, project_id, name, description, due_date, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'seed', ?)";
    await q.run(milestone, ['MS-001', 'PROJ-001', 'Beta', 'Portal open to five pilot customers', addDays(day, 21), 'open', at]);
    await q.run(milestone, ['MS-002', 'PROJ-002', 'Index live', 'New search serves 10% of traffic', addDays(day, 45), 'open', at]);
  });
}
