/**
 * Audit: signed checkpoints, and a journal (and checkpoint list) that the
 * application cannot rewrite. Triggers refuse UPDATE, DELETE and TRUNCATE for
 * everyone, owner included; privileges are revoked from PUBLIC so a separate
 * application role has only SELECT and INSERT. A superuser can still disable
 * triggers — which is what signed checkpoints held outside the database catch.
 */
import { type Kysely, sql } from "kysely"

/** Adds checkpoints and the append-only guards. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create table checkpoints (
      id bigserial primary key,
      campaign_id text not null references campaigns (id),
      seq integer not null check (seq >= 0),
      head text,
      reason text not null check (reason in ('phase', 'close', 'demand')),
      occurred_at timestamptz not null,
      key_id text not null,
      signature text not null,
      recorded_at timestamptz not null default now()
    );
    create index checkpoints_by_campaign on checkpoints (campaign_id, seq);

    create function liandong_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the % table is append-only: % is not allowed', tg_table_name, tg_op
        using errcode = 'insufficient_privilege';
    end
    $$;
    create trigger journal_no_update before update or delete on journal
      for each row execute function liandong_append_only();
    create trigger journal_no_truncate before truncate on journal
      for each statement execute function liandong_append_only();
    create trigger checkpoints_no_update before update or delete on checkpoints
      for each row execute function liandong_append_only();
    create trigger checkpoints_no_truncate before truncate on checkpoints
      for each statement execute function liandong_append_only();

    revoke update, delete, truncate on journal, checkpoints from public;
  `.execute(db)
}

/** Removes them. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    drop table checkpoints;
    drop trigger journal_no_update on journal;
    drop trigger journal_no_truncate on journal;
    drop function liandong_append_only();
  `.execute(db)
}
