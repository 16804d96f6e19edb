/**
 * The CRM server's tools (the reference demo's, with `created_by` taken from the token instead of the
 * caller's arguments, and the pipeline weighted by probability over open stages only).
 */
import { type Database, nextId, type PlainSql, plainSql } from '@mcp-auth/database';
import { z } from 'zod';
import { actorOf } from '../common/actor.js';
import { addDays, isoDate, today } from '../common/dates.js';
import { clean, listOutput, readRecords, recordOutput, result, toolWriter, where } from '../common/records.js';
import { defineTool, type ToolDefinition, ToolError } from '../tool-definition.js';
import { COMPANY_SIZES, CUSTOMER_STATUSES, INTERACTION_TYPES, OPEN_STAGES, OUTCOMES, STAGES } from './crm-schema.js';

type Row = Record<string, unknown>;
const customerId = () => z.string().regex(/^CUST-\d{3,}$/, 'must look like CUST-001');
const text = (max: number) => z.string().trim().min(1).max(max);

export function createCrmTools(database: Database<unknown>): ToolDefinition[] {
  const q = plainSql(database);
  const write = toolWriter(database, 'crm');
  const requireCustomer = async (q: PlainSql, id: string) => {
    const row = (await q.get('SELECT * FROM customers WHERE id = ?', [id])) as Row | undefined;
    if (!row) throw new ToolError(`No customer ${id}`);
    return row;
  };

  const getCustomers = defineTool({
    name: 'get_customer_profiles',
    title: 'Customer profiles',
    description: 'Lists customers, optionally one customer, or filtered by status or industry.',
    inputSchema: { customer_id: customerId().optional(), status: z.enum(CUSTOMER_STATUSES).optional(), industry: text(100).optional() },
    outputSchema: listOutput('customers'),
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args) => {
      const w = where({ id: args.customer_id, status: args.status, industry: args.industry });
      const rows = await readRecords(q, `SELECT * FROM customers ${w.sql} ORDER BY seq`, w.params);
      return result(`${rows.length} customer(s).`, { customers: rows, count: rows.length });
    },
  });

  const addCustomer = defineTool({
    name: 'add_customer_profile',
    title: 'Add a customer',
    description: 'Adds a customer as a prospect.',
    inputSchema: {
      company_name: text(200),
      contact_person: text(200),
      email_address: z.email(),
      phone_number: text(40).optional(),
      industry: text(100),
      company_size: z.enum(COMPANY_SIZES),
      annual_revenue: z.number().int().min(0).optional(),
      lead_source: text(100),
      notes: z.string().max(4000).optional(),
    },
    outputSchema: recordOutput('customer'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async (args, context) => {
      const actor = actorOf(context.principal);
      const row = await write(async (q, trx) => {
        if (await q.get('SELECT 1 FROM customers WHERE lower(company_name) = lower(?)', [args.company_name]))
          throw new ToolError(`${args.company_name} is already a customer`);
        const id = await nextId(trx, 'customers', 'CUST', 3);
        await q.run(
          `INSERT INTO customers (id, company_name, contact_person, email_address, phone_number, industry, company_size, annual_revenue, lead_source, notes, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            args.company_name,
            args.contact_person,
            args.email_address,
            args.phone_number ?? null,
            args.industry,
            args.company_size,
            args.annual_revenue ?? null,
            args.lead_source,
            args.notes ?? null,
            actor.subject,
            new Date().toISOString(),
          ],
        );
        return (await q.get('SELECT * FROM customers WHERE id = ?', [id])) as Row;
      });
      return result(`Added ${args.company_name} as ${row.id}.`, { customer: clean(row) });
    },
  });

  const updateStatus = defineTool({
    name: 'update_customer_status',
    title: 'Change a customer status',
    description: 'Sets a customer status (prospect, active, inactive, churned), noting why.',
    inputSchema: { customer_id: customerId(), new_status: z.enum(CUSTOMER_STATUSES), notes: text(2000) },
    outputSchema: recordOutput('customer'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    handler: async (args, context) => {
      const actor = actorOf(context.principal);
      const row = await write(async (q) => {
        const current = await requireCustomer(q, args.customer_id);
        if (current.status === args.new_status) throw new ToolError(`${args.customer_id} is already ${args.new_status}`);
        const stamp = new Date().toISOString();
        await q.run(
          `UPDATE customers SET status = ?, status_changed_by = ?, status_changed_at = ?,
             notes = trim(coalesce(notes || char(10), '') || ? || ': ' || ?) WHERE id = ?`,
          [
            args.new_status,
            actor.subject,
            stamp,
            `${stamp.slice(0, 10)} ${current.status} -> ${args.new_status}`,
            args.notes,
            args.customer_id,
          ],
        );
        return (await q.get('SELECT * FROM customers WHERE id = ?', [args.customer_id])) as Row;
      });
      return result(`${args.customer_id} is now ${args.new_status}.`, { customer: clean(row) });
    },
  });

  const recordInteraction = defineTool({
    name: 'record_interaction',
    title: 'Record an interaction',
    description: 'Logs a call, email, meeting, demo or proposal with a customer. Who recorded it is the caller.',
    inputSchema: {
      customer_id: customerId(),
      interaction_type: z.enum(INTERACTION_TYPES),
      subject: text(200),
      description: text(4000),
      outcome: z.enum(OUTCOMES),
      next_action: z.string().max(1000).optional(),
      duration_minutes: z.number().int().min(0).max(1440).optional(),
      notes: z.string().max(4000).optional(),
    },
    outputSchema: recordOutput('interaction'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async (args, context) => {
      const actor = actorOf(context.principal);
      const row = await write(async (q, trx) => {
        await requireCustomer(q, args.customer_id);
        const id = await nextId(trx, 'interactions', 'INT', 4);
        await q.run(
          `INSERT INTO interactions (id, customer_id, interaction_type, subject, description, outcome, next_action, duration_minutes, notes, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            args.customer_id,
            args.interaction_type,
            args.subject,
            args.description,
            args.outcome,
            args.next_action ?? null,
            args.duration_minutes ?? null,
            args.notes ?? null,
            actor.subject,
            new Date().toISOString(),
          ],
        );
        return (await q.get('SELECT * FROM interactions WHERE id = ?', [id])) as Row;
      });
      return result(`Recorded ${row.id} with ${args.customer_id}.`, { interaction: clean(row) });
    },
  });

  const history = defineTool({
    name: 'get_interaction_history',
    title: 'Interaction history',
    description: 'Lists interactions, newest first, optionally for one customer or type, within the last N days.',
    inputSchema: {
      customer_id: customerId().optional(),
      interaction_type: z.enum(INTERACTION_TYPES).optional(),
      days: z.number().int().min(1).max(3650).optional(),
      limit: z.number().int().min(1).max(500).default(50),
    },
    outputSchema: listOutput('interactions'),
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args) => {
      const w = where({ customer_id: args.customer_id, interaction_type: args.interaction_type });
      const since = args.days ? addDays(today(), -args.days) : '0000-00-00';
      const rows = await readRecords(
        q,
        `SELECT * FROM interactions ${w.sql ? `${w.sql} AND` : 'WHERE'} created_at >= ? ORDER BY created_at DESC, seq DESC LIMIT ?`,
        [...w.params, since, args.limit],
      );
      return result(`${rows.length} interaction(s).`, { interactions: rows, count: rows.length });
    },
  });

  const createOpportunity = defineTool({
    name: 'create_sales_opportunity',
    title: 'Create an opportunity',
    description: 'Opens a sales opportunity for a customer with a value, a probability (0-100) and a stage.',
    inputSchema: {
      customer_id: customerId(),
      opportunity_name: text(200),
      description: text(4000),
      value: z.number().int().min(0).max(1_000_000_000),
      probability: z.number().int().min(0).max(100),
      stage: z.enum(STAGES),
      expected_close_date: isoDate(),
      assigned_to: text(100).describe('Salesperson responsible, e.g. EMP-004'),
      lead_source: text(100).optional(),
      notes: z.string().max(4000).optional(),
    },
    outputSchema: recordOutput('opportunity'),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    handler: async (args, context) => {
      const actor = actorOf(context.principal);
      if (args.stage === 'closed_won' && args.probability !== 100) throw new ToolError('A closed_won opportunity has probability 100');
      if (args.stage === 'closed_lost' && args.probability !== 0) throw new ToolError('A closed_lost opportunity has probability 0');
      const row = await write(async (q, trx) => {
        const customer = await requireCustomer(q, args.customer_id);
        if (customer.status === 'churned') throw new ToolError(`${args.customer_id} has churned; reactivate it first`);
        const id = await nextId(trx, 'opportunities', 'OPP', 3);
        await q.run(
          `INSERT INTO opportunities (id, customer_id, opportunity_name, description, value, probability, stage, expected_close_date, assigned_to, lead_source, notes, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            args.customer_id,
            args.opportunity_name,
            args.description,
            args.value,
            args.probability,
            args.stage,
            args.expected_close_date,
            args.assigned_to,
            args.lead_source ?? (customer.lead_source as string),
            args.notes ?? null,
            actor.subject,
            new Date().toISOString(),
          ],
        );
        return (await q.get('SELECT * FROM opportunities WHERE id = ?', [id])) as Row;
      });
      return result(`Opened ${row.id} for ${args.customer_id}.`, { opportunity: clean(row) });
    },
  });

  const getOpportunities = defineTool({
    name: 'get_sales_opportunities',
    title: 'Sales opportunities',
    description: 'Lists opportunities, optionally for one customer or stage.',
    inputSchema: { customer_id: customerId().optional(), stage: z.enum(STAGES).optional() },
    outputSchema: listOutput('opportunities'),
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async (args) => {
      const w = where({ customer_id: args.customer_id, stage: args.stage });
      const rows = await readRecords(q, `SELECT * FROM opportunities ${w.sql} ORDER BY expected_close_date`, w.params);
      return result(`${rows.length} opportunit${rows.length === 1 ? 'y' : 'ies'}.`, { opportunities: rows, count: rows.length });
    },
  });

  const summary = defineTool({
    name: 'get_crm_summary',
    title: 'CRM summary',
    description:
      'Customers by status, opportunities by stage, the open pipeline and its probability-weighted value, won value, recent interactions.',
    inputSchema: {},
    outputSchema: {
      as_of: z.string(),
      customers_by_status: z.record(z.string(), z.number()),
      opportunities_by_stage: z.record(z.string(), z.number()),
      open_opportunities: z.number().int(),
      pipeline_value: z.number(),
      weighted_pipeline: z.number(),
      won_value: z.number(),
      interactions_last_30_days: z.number().int(),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    handler: async () => {
      const open = OPEN_STAGES.map((s) => `'${s}'`).join(', ');
      const pipeline = (await q.get(
        `SELECT count(*) AS open_opportunities, CAST(coalesce(sum(value), 0) AS BIGINT) AS pipeline_value, CAST(coalesce(sum(value * probability) / 100.0, 0) AS DOUBLE PRECISION) AS weighted_pipeline FROM opportunities WHERE stage IN (${open})`,
      )) as { open_opportunities: number; pipeline_value: number; weighted_pipeline: number };
      const data = {
        as_of: today(),
        customers_by_status: Object.fromEntries(
          ((await q.all('SELECT status, count(*) AS n FROM customers GROUP BY status')) as Array<{ status: string; n: number }>).map(
            (r) => [r.status, r.n],
          ),
        ),
        opportunities_by_stage: Object.fromEntries(
          ((await q.all('SELECT stage, count(*) AS n FROM opportunities GROUP BY stage')) as Array<{ stage: string; n: number }>).map(
            (r) => [r.stage, r.n],
          ),
        ),
        open_opportunities: pipeline.open_opportunities,
        pipeline_value: pipeline.pipeline_value,
        weighted_pipeline: pipeline.weighted_pipeline,
        won_value: (
          (await q.get("SELECT CAST(coalesce(sum(value), 0) AS BIGINT) AS v FROM opportunities WHERE stage = 'closed_won'")) as {
            v: number;
          }
        ).v,
        interactions_last_30_days: (
          (await q.get('SELECT count(*) AS n FROM interactions WHERE created_at >= ?', [addDays(today(), -30)])) as { n: number }
        ).n,
      };
      return result(`Open pipeline ${data.pipeline_value}, weighted ${data.weighted_pipeline}.`, data);
    },
  });

  return [getCustomers, addCustomer, updateStatus, recordInteraction, history, createOpportunity, getOpportunities, summary];
}
