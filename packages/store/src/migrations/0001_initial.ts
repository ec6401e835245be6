/**
 * The first schema: directory, definitions, campaigns, machines and their
 * read model, the journal, the worker's queues, reports and summaries.
 */
import { type Kysely, sql } from "kysely"

/** Creates every table. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create table units (
      key text primary key,
      name text not null,
      name_en text,
      parent_key text references units (key),
      level text check (level in ('national', 'province', 'city', 'county')),
      created_at timestamptz not null default now()
    );

    create table principals (
      id text primary key,
      name text not null,
      role text not null check (role in ('coordinator', 'unit', 'auditor')),
      unit_key text references units (key),
      created_at timestamptz not null default now(),
      disabled_at timestamptz,
      check (role = 'auditor' or unit_key is not null)
    );

    create table definitions (
      id bigserial primary key,
      key text not null,
      version integer not null check (version > 0),
      hash text not null,
      body jsonb not null,
      created_at timestamptz not null default now(),
      unique (key, version),
      unique (key, hash)
    );

    create table campaigns (
      id text primary key,
      definition_id bigint not null references definitions (id),
      status text not null check (status in ('deployed', 'running', 'summarizing', 'closed')),
      journal_seq integer not null default 0,
      journal_head text,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      closed_at timestamptz
    );

    create table machines (
      id bigserial primary key,
      campaign_id text not null references campaigns (id),
      kind text not null check (kind in ('campaign', 'unit')),
      unit_key text,
      snapshot jsonb not null,
      version integer not null check (version > 0),
      machine_hash text not null,
      phase text,
      status text not null,
      overdue boolean not null default false,
      updated_at timestamptz not null,
      check ((kind = 'campaign') = (unit_key is null))
    );
    create unique index machines_unit on machines (campaign_id, unit_key) where kind = 'unit';
    create unique index machines_campaign on machines (campaign_id) where kind = 'campaign';

    create table tasks (
      campaign_id text not null references campaigns (id),
      unit_key text not null,
      task_key text not null,
      phase_key text not null,
      status text not null check (status in ('waiting', 'assigned', 'acknowledged', 'submitted', 'returned', 'approved', 'closed')),
      deadline timestamptz not null,
      overdue boolean not null default false,
      reminded integer not null default 0,
      returns integer not null default 0,
      report_id bigint,
      acknowledged_at timestamptz,
      submitted_at timestamptz,
      approved_at timestamptz,
      updated_at timestamptz not null,
      primary key (campaign_id, unit_key, task_key)
    );
    create index tasks_by_status on tasks (campaign_id, status);

    create table journal (
      id bigserial primary key,
      campaign_id text not null references campaigns (id),
      seq integer not null check (seq > 0),
      machine_id bigint not null,
      unit_key text,
      actor text not null,
      role text not null,
      actor_unit text,
      cause text not null,
      idempotency_key text,
      event text not null,
      payload jsonb not null,
      state_before jsonb not null,
      state_after jsonb not null,
      occurred_at timestamptz not null,
      recorded_at timestamptz not null default now(),
      prev_hash text,
      hash text not null,
      unique (campaign_id, seq)
    );
    create index journal_by_unit on journal (campaign_id, unit_key);

    create table timers (
      id bigserial primary key,
      campaign_id text not null references campaigns (id),
      machine_id bigint not null references machines (id) on delete cascade,
      key text not null,
      due_at timestamptz not null,
      event jsonb not null,
      status text not null check (status in ('pending', 'done', 'cancelled', 'moot', 'dead')),
      attempts integer not null default 0,
      last_error text,
      created_at timestamptz not null default now(),
      done_at timestamptz,
      unique (machine_id, key)
    );
    create index timers_due on timers (due_at, id) where status = 'pending';

    create table messages (
      id bigserial primary key,
      campaign_id text not null references campaigns (id),
      machine_id bigint references machines (id) on delete cascade,
      kind text not null check (kind in ('event', 'summary')),
      dedupe_key text not null unique,
      event jsonb not null,
      status text not null check (status in ('pending', 'done', 'moot', 'dead')),
      attempts integer not null default 0,
      available_at timestamptz not null,
      last_error text,
      created_at timestamptz not null default now(),
      done_at timestamptz
    );
    create index messages_available on messages (available_at, id) where status = 'pending';

    create table reports (
      id bigserial primary key,
      campaign_id text not null references campaigns (id),
      unit_key text not null,
      task_key text not null,
      attempt integer not null check (attempt > 0),
      status text not null check (status in ('submitted', 'approved', 'returned')),
      narrative jsonb not null,
      submitted_by text not null,
      submitted_at timestamptz not null,
      reviewed_by text,
      reviewed_at timestamptz,
      return_reason text,
      unique (campaign_id, unit_key, task_key, attempt)
    );
    create index reports_by_task on reports (campaign_id, task_key, status);

    create table report_figures (
      report_id bigint not null references reports (id),
      figure_key text not null,
      value numeric not null,
      primary key (report_id, figure_key)
    );

    create table command_results (
      principal_id text not null,
      idempotency_key text not null,
      request_hash text not null,
      result jsonb not null,
      created_at timestamptz not null default now(),
      primary key (principal_id, idempotency_key)
    );

    create table notifications (
      id bigserial primary key,
      campaign_id text not null references campaigns (id),
      unit_key text not null,
      kind text not null check (kind in ('reminder', 'overdue', 'returned', 'approved', 'phase-opened')),
      body jsonb not null,
      created_at timestamptz not null default now(),
      delivered_at timestamptz
    );
    create index notifications_by_unit on notifications (campaign_id, unit_key);

    create table summaries (
      id bigserial primary key,
      campaign_id text not null references campaigns (id),
      version integer not null check (version > 0),
      format text not null,
      content text not null,
      hash text not null,
      journal_seq integer not null,
      created_at timestamptz not null default now(),
      unique (campaign_id, version, format)
    );
  `.execute(db)
}

/** Drops every table. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    drop table summaries, notifications, command_results, report_figures, reports, messages, timers,
      journal, tasks, machines, campaigns, definitions, principals, units
  `.execute(db)
}
