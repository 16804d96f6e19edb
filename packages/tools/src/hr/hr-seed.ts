/**
 * Demo data, written once into an empty HR database. Consistent by construction: every manager
 * exists, the people match the issuer's demo identities (alice EMP-001 Manager, bob EMP-002
 * AssistantManager, carol EMP-003 Employee), and leave balances already subtract approved annual leave.
 */
import { type Database, exclusive, plainSql, writeTransaction } from '@mcp-auth/database';
import { addDays, today } from '../common/dates.js';

const EMPLOYEES = [
  [
    'EMP-001',
    'Alice',
    'Johnson',
    'alice.johnson@example.com',
    '+1-555-0101',
    'Engineering',
    'Head of Engineering',
    '2019-03-04',
    185000,
    null,
    'New York',
    'Tom Johnson',
    '+1-555-0201',
  ],
  [
    'EMP-002',
    'Bob',
    'Smith',
    'bob.smith@example.com',
    '+1-555-0102',
    'Engineering',
    'Engineering Lead',
    '2020-06-15',
    142000,
    'EMP-001',
    'New York',
    'Sara Smith',
    '+1-555-0202',
  ],
  [
    'EMP-003',
    'Carol',
    'Davis',
    'carol.davis@example.com',
    '+1-555-0103',
    'Engineering',
    'Software Engineer',
    '2022-01-10',
    118000,
    'EMP-002',
    'Remote',
    'Mike Davis',
    '+1-555-0203',
  ],
  [
    'EMP-004',
    'David',
    'Lee',
    'david.lee@example.com',
    '+1-555-0104',
    'Sales',
    'Sales Manager',
    '2021-02-01',
    128000,
    'EMP-001',
    'Chicago',
    'Grace Lee',
    '+1-555-0204',
  ],
  [
    'EMP-005',
    'Eva',
    'Martinez',
    'eva.martinez@example.com',
    '+1-555-0105',
    'Sales',
    'Account Executive',
    '2023-04-17',
    96000,
    'EMP-004',
    'Chicago',
    'Luis Martinez',
    '+1-555-0205',
  ],
  [
    'EMP-006',
    'Frank',
    'Wilson',
    'frank.wilson@example.com',
    '+1-555-0106',
    'HR',
    'HR Specialist',
    '2021-09-01',
    88000,
    'EMP-001',
    'New York',
    'Anne Wilson',
    '+1-555-0206',
  ],
] as const;

/** Seeds an empty HR database, once however many processes or replicas start together. */
export async function seedHr(database: Database<unknown>, now = new Date()): Promise<void> {
  const count = 'SELECT count(*) AS n FROM employees';
  const empty = async (q: ReturnType<typeof plainSql>) => (await q.get<{ n: number }>(count))?.n === 0;
  if (!(await empty(plainSql(database)))) return;
  const at = now.toISOString();
  const day = today(now);
  await writeTransaction(database, async (trx) => {
    // SQLite's write transaction already holds the whole file; on PostgreSQL the lock makes the look below see any seed
    // another replica committed while this one waited.
    await exclusive(trx, 'tools:hr');
    const q = plainSql(trx);
    if (!(await empty(q))) return;
    const insertEmployee = `INSERT INTO employees (id, first_name, last_name, email, phone, department, position, hire_date, salary, manager_id, location,
         emergency_contact, emergency_phone, annual_leave_balance, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 25, 'seed', ?)`;
    for (const e of EMPLOYEES) await q.run(insertEmployee, [...e, at]);
    const insertLeave = `INSERT INTO leave_requests (id, employee_id, leave_type, start_date, end_date, days, reason, status, requested_by, requested_at, decided_by, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    // Approved annual leave (5 days for carol, 3 for eva) is already taken off their balances below.
    const leave = [
      ['LR-0001', 'EMP-003', 'annual', addDays(day, -40), addDays(day, -36), 5, 'Family trip', 'approved', 'carol', at, 'bob', at],
      ['LR-0002', 'EMP-005', 'annual', addDays(day, -20), addDays(day, -18), 3, 'Wedding', 'approved', 'eva', at, 'david', at],
      ['LR-0003', 'EMP-003', 'sick', addDays(day, -7), addDays(day, -7), 1, 'Flu', 'approved', 'carol', at, 'bob', at],
      ['LR-0004', 'EMP-002', 'annual', addDays(day, 14), addDays(day, 18), 5, 'Vacation', 'pending', 'bob', at, null, null],
      ['LR-0005', 'EMP-003', 'personal', addDays(day, 21), addDays(day, 21), 1, 'Moving house', 'pending', 'carol', at, null, null],
    ] as const;
    for (const l of leave) await q.run(insertLeave, [...l]);
    await q.run("UPDATE employees SET annual_leave_balance = 20 WHERE id = 'EMP-003'");
    await q.run("UPDATE employees SET annual_leave_balance = 22 WHERE id = 'EMP-005'");
    const insertReview =
      'INSERT INTO performance_reviews (id, employee_id, period, rating, strengths, improvements, goals, reviewer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
    const reviews = [
      ['REV-0001', 'EMP-003', '2025-H2', 4, 'Ships reliable features', 'Write design docs earlier', 'Lead the search rewrite', 'bob', at],
      ['REV-0002', 'EMP-002', '2025-H2', 5, 'Grew the team', 'Delegate more', 'Hire two engineers', 'alice', at],
      ['REV-0003', 'EMP-005', '2025-H2', 3, 'Strong client rapport', 'Pipeline hygiene', 'Close 10 new accounts', 'david', at],
    ] as const;
    for (const r of reviews) await q.run(insertReview, [...r]);
  });
}
