/**
 * 催办: a coordinator (or a unit above its subordinates) nudges units by hand. Each nudge is a
 * notice of kind `nudge` in the outbox, fanned out and sent like the notices steps write.
 */
import { type Kysely, sql } from "kysely"

/** Lets the outbox hold notices of kind `nudge`. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table notifications drop constraint notifications_kind_check;
    alter table notifications add constraint notifications_kind_check
      check (kind in ('reminder', 'overdue', 'returned', 'approved', 'phase-opened', 'nudge'));
  `.execute(db)
}

/** Takes it back (nudges already written are removed with their deliveries). */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    delete from deliveries where notification_id in (select id from notifications where kind = 'nudge');
    delete from notifications where kind = 'nudge';
    alter table notifications drop constraint notifications_kind_check;
    alter table notifications add constraint notifications_kind_check
      check (kind in ('reminder', 'overdue', 'returned', 'approved', 'phase-opened'));
  `.execute(db)
}
