/** The CRM database: customers, interactions, sales opportunities. */
import type { MigrationStep } from '@mcp-auth/database';
import { bothDialects } from '../common/table-ddl.js';

export const CRM_MIGRATIONS: readonly MigrationStep[] = [
  bothDialects(
    `CREATE TABLE customers (
     seq               INTEGER PRIMARY KEY AUTOINCREMENT,
     id                TEXT NOT NULL UNIQUE,
     company_name      TEXT NOT NULL UNIQUE COLLATE NOCASE,
     contact_person    TEXT NOT NULL,
     email_address     TEXT NOT NULL,
     phone_number      TEXT,
     industry          TEXT NOT NULL,
     company_size      TEXT NOT NULL CHECK (company_size IN ('1-10', '11-50', '51-200', '201-1000', '1000+')),
     annual_revenue    INTEGER CHECK (annual_revenue >= 0),
     lead_source       TEXT NOT NULL,
     status            TEXT NOT NULL DEFAULT 'prospect' CHECK (status IN ('prospect', 'active', 'inactive', 'churned')),
     notes             TEXT,
     created_by        TEXT NOT NULL,
     created_at        TEXT NOT NULL,
     status_changed_by TEXT,
     status_changed_at TEXT
   ) STRICT`,
    'CREATE UNIQUE INDEX customers_company_name_nocase ON customers (lower(company_name))',
  ),
  bothDialects(`CREATE TABLE interactions (
     seq              INTEGER PRIMARY KEY AUTOINCREMENT,
     id               TEXT NOT NULL UNIQUE,
     customer_id      TEXT NOT NULL REFERENCES customers (id),
     interaction_type TEXT NOT NULL CHECK (interaction_type IN ('call', 'email', 'meeting', 'demo', 'proposal')),
     subject          TEXT NOT NULL,
     description      TEXT NOT NULL,
     outcome          TEXT NOT NULL CHECK (outcome IN ('positive', 'negative', 'neutral', 'follow_up')),
     next_action      TEXT,
     duration_minutes INTEGER CHECK (duration_minutes >= 0),
     notes            TEXT,
     created_by       TEXT NOT NULL,
     created_at       TEXT NOT NULL
   ) STRICT`),
  bothDialects(`CREATE TABLE opportunities (
     seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
     id                  TEXT NOT NULL UNIQUE,
     customer_id         TEXT NOT NULL REFERENCES customers (id),
     opportunity_name    TEXT NOT NULL,
     description         TEXT NOT NULL,
     value               INTEGER NOT NULL CHECK (value >= 0),
     probability         INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
     stage               TEXT NOT NULL CHECK (stage IN ('prospecting', 'qualification', 'proposal', 'negotiation', 'closed_won', 'closed_lost')),
     expected_close_date TEXT NOT NULL,
     assigned_to         TEXT NOT NULL,
     lead_source         TEXT,
     notes               TEXT,
     created_by          TEXT NOT NULL,
     created_at          TEXT NOT NULL
   ) STRICT`),
  'CREATE INDEX interactions_customer ON interactions (customer_id, created_at)',
];

export const COMPANY_SIZES = ['1-10', '11-50', '51-200', '201-1000', '1000+'] as const;
export const CUSTOMER_STATUSES = ['prospect', 'active', 'inactive', 'churned'] as const;
export const INTERACTION_TYPES = ['call', 'email', 'meeting', 'demo', 'proposal'] as const;
export const OUTCOMES = ['positive', 'negative', 'neutral', 'follow_up'] as const;
export const STAGES = ['prospecting', 'qualification', 'proposal', 'negotiation', 'closed_won', 'closed_lost'] as const;
export const OPEN_STAGES = ['prospecting', 'qualification', 'proposal', 'negotiation'] as const;
