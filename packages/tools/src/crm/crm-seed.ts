/** Demo customers, interactions and opportunities, written once into an empty CRM database. */
import { type Database, exclusive, type PlainSql, plainSql, writeTransaction } from '@mcp-auth/database';
import { addDays, today } from '../common/dates.js';

/** Seeds an empty database, once however many processes or replicas start together. */
export async function seedCrm(database: Database<unknown>, now = new Date()): Promise<void> {
  const seeded = async (q: PlainSql) => ((await q.get<{ n: number }>('SELECT count(*) AS n FROM customers'))?.n ?? 0) > 0;
  if (await seeded(plainSql(database))) return;
  const day = today(now);
  const at = now.toISOString();
  await writeTransaction(database, async (trx) => {
    // SQLite's write transaction already holds the whole file; on PostgreSQL the lock makes the look below see a seed
    // another replica committed while this one waited.
    await exclusive(trx, 'tools:crm');
    const q = plainSql(trx);
    if (await seeded(q)) return;
    const customer = `INSERT INTO customers (id, company_name, contact_person, email_address, phone_number, industry, company_size, annual_revenue, lead_source, status, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'seed', ?)`;
    await q.run(customer, [
      'CUST-001',
      'Acme Logistics',
      'Priya Raman',
      'priya@acme-logistics.example',
      '+1-555-0301',
      'Logistics',
      '201-1000',
      48_000_000,
      'referral',
      'active',
      at,
    ]);
    await q.run(customer, [
      'CUST-002',
      'Globex Health',
      'Martin Ortiz',
      'm.ortiz@globex.example',
      '+1-555-0302',
      'Healthcare',
      '1000+',
      310_000_000,
      'conference',
      'active',
      at,
    ]);
    await q.run(customer, [
      'CUST-003',
      'Initech',
      'Peter Gibbons',
      'peter@initech.example',
      '+1-555-0303',
      'Software',
      '51-200',
      12_000_000,
      'website',
      'prospect',
      at,
    ]);
    await q.run(customer, [
      'CUST-004',
      'Umbrella Retail',
      'Alex Wesker',
      'alex@umbrella.example',
      '+1-555-0304',
      'Retail',
      '1000+',
      95_000_000,
      'cold_call',
      'churned',
      at,
    ]);
    const interaction = `INSERT INTO interactions (id, customer_id, interaction_type, subject, description, outcome, next_action, duration_minutes, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    await q.run(interaction, [
      'INT-0001',
      'CUST-001',
      'meeting',
      'Quarterly review',
      'Reviewed SLA and usage',
      'positive',
      'Send renewal quote',
      60,
      'alice',
      at,
    ]);
    await q.run(interaction, [
      'INT-0002',
      'CUST-003',
      'demo',
      'Portal demo',
      'Showed the customer portal beta',
      'follow_up',
      'Share pricing',
      45,
      'alice',
      at,
    ]);
    await q.run(interaction, [
      'INT-0003',
      'CUST-002',
      'email',
      'Security questionnaire',
      'Answered the SOC 2 questionnaire',
      'neutral',
      null,
      null,
      'alice',
      at,
    ]);
    const opportunity = `INSERT INTO opportunities (id, customer_id, opportunity_name, description, value, probability, stage, expected_close_date, assigned_to, lead_source, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'seed', ?)`;
    await q.run(opportunity, [
      'OPP-001',
      'CUST-001',
      'Acme renewal',
      'Three-year renewal with more seats',
      240_000,
      80,
      'negotiation',
      addDays(day, 30),
      'EMP-004',
      'referral',
      at,
    ]);
    await q.run(opportunity, [
      'OPP-002',
      'CUST-003',
      'Initech pilot',
      'Paid pilot of the portal',
      45_000,
      40,
      'proposal',
      addDays(day, 45),
      'EMP-005',
      'website',
      at,
    ]);
    await q.run(opportunity, [
      'OPP-003',
      'CUST-002',
      'Globex analytics',
      'Analytics add-on',
      120_000,
      20,
      'qualification',
      addDays(day, 90),
      'EMP-004',
      'conference',
      at,
    ]);
    await q.run(opportunity, [
      'OPP-004',
      'CUST-001',
      'Acme onboarding',
      'Onboarding services',
      30_000,
      100,
      'closed_won',
      addDays(day, -15),
      'EMP-005',
      'referral',
      at,
    ]);
  });
}
