/** The HR database: employees, leave requests, performance reviews. Dates are ISO YYYY-MM-DD (UTC). */
import type { MigrationStep } from '@mcp-auth/database';
import { bothDialects } from '../common/table-ddl.js';

export const HR_MIGRATIONS: readonly MigrationStep[] = [
  bothDialects(
    `CREATE TABLE employees (
     seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
     id                   TEXT NOT NULL UNIQUE,
     first_name           TEXT NOT NULL,
     last_name            TEXT NOT NULL,
     email                TEXT NOT NULL UNIQUE COLLATE NOCASE,
     phone                TEXT,
     department           TEXT NOT NULL,
     position             TEXT NOT NULL,
     hire_date            TEXT NOT NULL,
     salary               INTEGER,
     manager_id           TEXT REFERENCES employees (id),
     location             TEXT,
     emergency_contact    TEXT,
     emergency_phone      TEXT,
     notes                TEXT,
     status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_leave', 'terminated')),
     annual_leave_balance INTEGER NOT NULL DEFAULT 25 CHECK (annual_leave_balance >= 0),
     created_by           TEXT NOT NULL,
     created_at           TEXT NOT NULL
   ) STRICT`,
    'CREATE UNIQUE INDEX employees_email_nocase ON employees (lower(email))',
  ),
  bothDialects(`CREATE TABLE leave_requests (
     seq            INTEGER PRIMARY KEY AUTOINCREMENT,
     id             TEXT NOT NULL UNIQUE,
     employee_id    TEXT NOT NULL REFERENCES employees (id),
     leave_type     TEXT NOT NULL CHECK (leave_type IN ('annual', 'sick', 'personal', 'maternity', 'paternity', 'unpaid')),
     start_date     TEXT NOT NULL,
     end_date       TEXT NOT NULL,
     days           INTEGER NOT NULL CHECK (days >= 1),
     reason         TEXT NOT NULL,
     notes          TEXT,
     status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
     requested_by   TEXT NOT NULL,
     requested_at   TEXT NOT NULL,
     decided_by     TEXT,
     decided_at     TEXT,
     decision_notes TEXT,
     CHECK (end_date >= start_date)
   ) STRICT`),
  bothDialects(`CREATE TABLE performance_reviews (
     seq          INTEGER PRIMARY KEY AUTOINCREMENT,
     id           TEXT NOT NULL UNIQUE,
     employee_id  TEXT NOT NULL REFERENCES employees (id),
     period       TEXT NOT NULL,
     rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
     strengths    TEXT NOT NULL,
     improvements TEXT NOT NULL,
     goals        TEXT NOT NULL,
     reviewer     TEXT NOT NULL,
     created_at   TEXT NOT NULL,
     UNIQUE (employee_id, period)
   ) STRICT`),
  'CREATE INDEX leave_requests_employee ON leave_requests (employee_id, status)',
];

export const LEAVE_TYPES = ['annual', 'sick', 'personal', 'maternity', 'paternity', 'unpaid'] as const;
export const EMPLOYEE_STATUSES = ['active', 'on_leave', 'terminated'] as const;

/** Columns only roles granted `pay` see, and those only roles granted `personal` see. */
export const PAY_FIELDS = ['salary'] as const;
export const PERSONAL_FIELDS = ['phone', 'emergency_contact', 'emergency_phone', 'notes'] as const;
