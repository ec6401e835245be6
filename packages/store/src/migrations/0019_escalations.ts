/**
 * 逾期上报: a task still unreported some time after its deadline is escalated to the unit
 * above. Its notice, of kind `escalated`, goes to that unit's people through the outbox.
 */
import { type Kysely, sql } from "kysely"

/** Lets the outbox hold notices of kind `escalated`. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table notifications drop constraint notifications_kind_check;
    alter table notifications add constraint notifications_kind_check
      check (kind in ('reminder', 'overdue', 'returned', 'approved', 'phase-opened', 'nudge', 'escalated'));
  `.execute(db)
}

/** Takes it back (escalations already written are removed with their deliveries). */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    delete from deliveries where notification_id in (select id from notifications where kind = 'escalated');
    delete from notifications where kind = 'escalated';
    alter table notifications drop constraint notifications_kind_check;
    alter table notifications add constraint notifications_kind_check
      check (kind in ('reminder', 'overdue', 'returned', 'approved', 'phase-opened', 'nudge'));
  `.execute(db)
}
