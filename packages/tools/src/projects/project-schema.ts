/** The project database: projects, team members, tasks, milestones. Dates are ISO YYYY-MM-DD (UTC). */
import type { MigrationStep } from '@mcp-auth/database';
import { bothDialects } from '../common/table-ddl.js';

export const PROJECT_MIGRATIONS: readonly MigrationStep[] = [
  bothDialects(`CREATE TABLE projects (
     id          TEXT PRIMARY KEY,
     name        TEXT NOT NULL,
     description TEXT NOT NULL,
     status      TEXT NOT NULL CHECK (status IN ('planning', 'active', 'on_hold', 'completed')),
     start_date  TEXT NOT NULL,
     end_date    TEXT NOT NULL
   ) STRICT`),
  bothDialects(`CREATE TABLE team_members (
     id    TEXT PRIMARY KEY,
     name  TEXT NOT NULL,
     title TEXT NOT NULL
   ) STRICT`),
  bothDialects(`CREATE TABLE tasks (
     seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
     id                  TEXT NOT NULL UNIQUE,
     project_id          TEXT NOT NULL REFERENCES projects (id),
     task_name           TEXT NOT NULL,
     description         TEXT NOT NULL,
     assigned_to         TEXT NOT NULL REFERENCES team_members (id),
     priority            TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
     state               TEXT NOT NULL DEFAULT 'todo' CHECK (state IN ('todo', 'in_progress', 'review', 'completed', 'cancelled')),
     estimated_hours     REAL NOT NULL CHECK (estimated_hours > 0),
     actual_hours        REAL NOT NULL DEFAULT 0 CHECK (actual_hours >= 0),
     progress_percentage INTEGER NOT NULL DEFAULT 0 CHECK (progress_percentage BETWEEN 0 AND 100),
     due_date            TEXT NOT NULL,
     tags                TEXT NOT NULL DEFAULT '[]',
     notes               TEXT,
     created_by          TEXT NOT NULL,
     created_at          TEXT NOT NULL,
     updated_by          TEXT,
     updated_at          TEXT
   ) STRICT`),
  bothDialects(`CREATE TABLE milestones (
     seq         INTEGER PRIMARY KEY AUTOINCREMENT,
     id          TEXT NOT NULL UNIQUE,
     project_id  TEXT NOT NULL REFERENCES projects (id),
     name        TEXT NOT NULL,
     description TEXT NOT NULL,
     due_date    TEXT NOT NULL,
     status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'reached')),
     created_by  TEXT NOT NULL,
     created_at  TEXT NOT NULL
   ) STRICT`),
  'CREATE INDEX tasks_project ON tasks (project_id, state)',
];

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const TASK_STATES = ['todo', 'in_progress', 'review', 'completed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Which state a task may move to from each state (a same-state update only changes hours or progress). */
export const TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  todo: ['in_progress', 'cancelled'],
  in_progress: ['todo', 'review', 'completed', 'cancelled'],
  review: ['in_progress', 'completed', 'cancelled'],
  completed: ['in_progress'],
  cancelled: ['todo'],
};
