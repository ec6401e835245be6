/**
 * The accountable record. A journal row carries the content it is about (a report's
 * figures and narrative, a reviewer's decision and reason, a summary's hashes and
 * totals) in `content`, hashed with the row, so editing a stored value anywhere shows.
 * The key ring records the public half of every key that signs checkpoints, with its
 * validity, so verification never needs a private key or a local file.
 */
import { type Kysely, sql } from "kysely"

/** Adds `journal.content`, teaches `journal_append` to write it, and creates the key ring. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table journal add column content jsonb;

    create or replace function journal_append(p_campaign text, p_rows jsonb) returns integer
    language plpgsql as $$
    declare
      v_seq integer;
      v_prev text;
      v_recorded text;
      v_row jsonb;
      v_hash text;
    begin
      -- A statement of its own: it waits for the previous writer, then reads the head it left.
      select journal_seq, journal_head into v_seq, v_prev from campaigns where id = p_campaign for no key update;
      if not found then
        raise exception 'journal: campaign % not found', p_campaign;
      end if;
      v_recorded := to_char(date_trunc('milliseconds', now()) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
      for v_row in select value from jsonb_array_elements(p_rows) loop
        v_seq := v_seq + 1;
        v_hash := encode(sha256(convert_to(coalesce(v_prev, '') || chr(10) || (v_row->>'before_at') || v_recorded
          || (v_row->>'before_seq') || v_seq::text || (v_row->>'after_seq'), 'UTF8')), 'hex');
        insert into journal (campaign_id, seq, machine_id, unit_key, actor, role, actor_unit, cause, idempotency_key,
          event, payload, state_before, state_after, occurred_at, recorded_at, prev_hash, hash, content)
        values (p_campaign, v_seq, (v_row->>'machine_id')::bigint, v_row->>'unit_key', v_row->>'actor',
          v_row->>'role', v_row->>'actor_unit', v_row->>'cause', v_row->>'idempotency_key', v_row->>'event',
          v_row->'payload', v_row->'state_before', v_row->'state_after', (v_row->>'occurred_at')::timestamptz,
          v_recorded::timestamptz, v_prev, v_hash, nullif(v_row->'content', 'null'::jsonb));
        v_prev := v_hash;
      end loop;
      update campaigns set journal_seq = v_seq, journal_head = v_prev where id = p_campaign;
      return v_seq;
    end
    $$;

    create table signing_keys (
      key_id text primary key,
      algorithm text not null default 'ed25519' check (algorithm = 'ed25519'),
      public_key text not null,
      valid_from timestamptz not null,
      valid_until timestamptz,
      recorded_at timestamptz not null default now(),
      check (valid_until is null or valid_until >= valid_from)
    );

    -- A key is added once and retired once; nothing else about it ever changes.
    create function liandong_key_ring_guard() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'UPDATE' or old.valid_until is not null or new.valid_until is null
        or new.key_id <> old.key_id or new.public_key <> old.public_key or new.algorithm <> old.algorithm
        or new.valid_from <> old.valid_from or new.recorded_at <> old.recorded_at then
        raise exception 'the key ring is append-only: a key is only ever retired, once'
          using errcode = 'insufficient_privilege';
      end if;
      return new;
    end
    $$;
    create trigger signing_keys_guard before update or delete on signing_keys
      for each row execute function liandong_key_ring_guard();
    create trigger signing_keys_no_truncate before truncate on signing_keys
      for each statement execute function liandong_append_only();

    alter table checkpoints add column signed_at timestamptz;
  `.execute(db)
}

/** Removes them. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table checkpoints drop column signed_at;
    drop table signing_keys;
    drop function liandong_key_ring_guard();
    alter table journal drop column content;
  `.execute(db)
}
