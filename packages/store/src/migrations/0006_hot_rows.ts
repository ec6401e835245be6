/**
 * Rows every event writes stop pointing at rows every event updates. A foreign key takes
 * KEY SHARE on the parent row for each child inserted; the campaign row (the journal head)
 * and a machine row are updated by every event of their campaign or machine, so those share
 * locks turned them into multixacts that every writer and every claim had to resolve — at
 * a few thousand units the worker's claims spent most of their time there. The engine writes
 * these children only while it holds their parent's lock, which keeps them consistent; the
 * keys to parents nobody updates (definitions, units, principals, reports) stay.
 * The queues also get vacuumed sooner: a claim walks the pending index, and entries of items
 * already done stay in it until a vacuum.
 */
import { type Kysely, sql } from "kysely"

/** Drops the keys to hot parents; tunes the queues' autovacuum. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table journal drop constraint journal_campaign_id_fkey;
    alter table timers drop constraint timers_campaign_id_fkey, drop constraint timers_machine_id_fkey;
    alter table messages drop constraint messages_campaign_id_fkey, drop constraint messages_machine_id_fkey;
    alter table notifications drop constraint notifications_campaign_id_fkey;
    alter table reports drop constraint reports_campaign_id_fkey;
    alter table timers set (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 500);
    alter table messages set (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 500);
  `.execute(db)
}

/** Puts them back. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table journal add constraint journal_campaign_id_fkey foreign key (campaign_id) references campaigns (id);
    alter table timers add constraint timers_campaign_id_fkey foreign key (campaign_id) references campaigns (id),
      add constraint timers_machine_id_fkey foreign key (machine_id) references machines (id) on delete cascade;
    alter table messages add constraint messages_campaign_id_fkey foreign key (campaign_id) references campaigns (id),
      add constraint messages_machine_id_fkey foreign key (machine_id) references machines (id) on delete cascade;
    alter table notifications add constraint notifications_campaign_id_fkey foreign key (campaign_id) references campaigns (id);
    alter table reports add constraint reports_campaign_id_fkey foreign key (campaign_id) references campaigns (id);
    alter table timers reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold);
    alter table messages reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold);
  `.execute(db)
}
