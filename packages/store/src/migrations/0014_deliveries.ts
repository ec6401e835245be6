/**
 * Deliveries: each notice of the outbox (`notifications`, written in the transaction of the
 * event that caused it) fanned out to the people of its unit, one row per person and channel,
 * with the state of its delivery: attempts, the next attempt, the last error, parked after
 * too many. An in-app delivery is "sent" at once and read when the person opens it.
 */
import { type Kysely, sql } from "kysely"

/** Adds the deliveries table and marks which notices have been fanned out. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table notifications add column expanded_at timestamptz;
    create index notifications_unexpanded on notifications (id) where expanded_at is null;
    create table deliveries (
      id bigserial primary key,
      notification_id bigint not null references notifications (id),
      principal_id text not null references principals (id),
      channel text not null check (channel in ('email', 'in-app')),
      address text,
      status text not null default 'pending' check (status in ('pending', 'failed', 'sent', 'parked')),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null,
      last_error text,
      sent_at timestamptz,
      read_at timestamptz,
      created_at timestamptz not null default now(),
      unique (notification_id, principal_id, channel)
    );
    create index deliveries_due on deliveries (next_attempt_at) where status in ('pending', 'failed');
    create index deliveries_by_principal on deliveries (principal_id, id) where channel = 'in-app';
  `.execute(db)
}

/** Drops them again. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    drop table deliveries;
    drop index notifications_unexpanded;
    alter table notifications drop column expanded_at;
  `.execute(db)
}
