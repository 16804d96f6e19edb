/**
 * Demo projects, written once into an empty database. Due dates are relative to the first start, so
 * there is always overdue work to find (and a cancelled overdue task that must not be listed).
 */
import { type SqliteDatabase, writeTransaction } from '@mcp-auth/sqlite';
import { addDays, today } from '../common/dates.js';

export function seedProjects(db: SqliteDatabase, now = new Date()): void {
  const seeded = () => (db.prepare('SELECT count(*) AS n FROM projects').get() as { n: number }).n > 0;
  if (seeded()) return;
  const day = today(now);
  const at = now.toISOString();
  writeTransaction(db, () => {
    if (seeded()) return; // another process on this DATA_DIR seeded it while we waited for the lock
    const project = db.prepare('INSERT INTO projects (id, name, description, status, start_date, end_date) VALUES (?, ?, ?, ?, ?, ?)');
    project.run(
      'PROJ-001',
      'Customer portal',
      'Self-service portal for enterprise customers',
      'active',
      addDays(day, -60),
      addDays(day, 60),
    );
    project.run(
      'PROJ-002',
      'Search rewrite',
      'Replace the legacy search with a vector index',
      'active',
      addDays(day, -30),
      addDays(day, 90),
    );
    project.run('PROJ-003', 'Office move', 'Move the New York office', 'planning', addDays(day, 10), addDays(day, 120));
    const member = db.prepare('INSERT INTO team_members (id, name, title) VALUES (?, ?, ?)');
    member.run('EMP-001', 'Alice Johnson', 'Head of Engineering');
    member.run('EMP-002', 'Bob Smith', 'Engineering Lead');
    member.run('EMP-003', 'Carol Davis', 'Software Engineer');
    member.run('EMP-006', 'Frank Wilson', 'HR Specialist');
    const task = db.prepare(
      `INSERT INTO tasks (id, project_id, task_name, description, assigned_to, priority, state, estimated_hours, actual_hours, progress_percentage,
         due_date, tags, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'seed', ?)`,
    );
    task.run(
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
    );
    task.run(
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
    );
    task.run(
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
    );
    task.run(
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
    );
    task.run(
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
    );
    task.run(
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
    );
    const milestone = db.prepare(
      "INSERT INTO milestones (id, project_id, name, description, due_date, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'seed', ?)",
    );
    milestone.run('MS-001', 'PROJ-001', 'Beta', 'Portal open to five pilot customers', addDays(day, 21), 'open', at);
    milestone.run('MS-002', 'PROJ-002', 'Index live', 'New search serves 10% of traffic', addDays(day, 45), 'open', at);
  });
}
