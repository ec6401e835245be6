/**
 * `journal_append` inserts a call's rows in one statement. It inserted them one by one, an
 * executor started and stopped for each row, while holding the campaign's head: a worker's batch
 * of 32 machines kept every other writer of the campaign waiting through 32 inserts. It now hashes
 * the rows in order as before (each on the one before: a loop of string work, no statement) and
 * writes them together, in the same order, so the rows, their sequence numbers, hashes and ids
 * are what the loop wrote.
 */
import { type Kysely, sql } from "kysely"

/** Hashes first, then one insert. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create or replace function journal_append(p_campaign text, p_rows jsonb) returns integer
    language plpgsql as $$
    declare
      v_first integer;
      v_seq integer;
      v_prev text;
      v_recorded text;
      v_row jsonb;
      v_prevs text[] := '{}';
      v_hashes text[] := '{}';
    begin
      -- A statement of its own: it waits for the previous writer, then reads the head it left.
      select journal_seq, journal_head into v_seq, v_prev from campaigns where id = p_campaign for no key update;
      if not found then
        raise exception 'journal: campaign % not found', p_campaign;
      end if;
      v_recorded := to_char(date_trunc('milliseconds', now()) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
      v_first := v_seq;
      for v_row in select value from jsonb_array_elements(p_rows) loop
        v_seq := v_seq + 1;
        v_prevs := v_prevs || v_prev;
        v_prev := encode(sha256(convert_to(coalesce(v_prev, '') || chr(10) || (v_row->>'before_at') || v_recorded
          || (v_row->>'before_seq') || v_seq::text || (v_row->>'after_seq'), 'UTF8')), 'hex');
        v_hashes := v_hashes || v_prev;
      end loop;
      -- In the rows' order, so that their ids follow their sequence numbers as before.
      insert into journal (campaign_id, seq, machine_id, unit_key, actor, role, actor_unit, cause, idempotency_key,
        event, payload, state_before, state_after, occurred_at, recorded_at, prev_hash, hash, content)
      select p_campaign, v_first + r.n::integer, (r.v->>'machine_id')::bigint, r.v->>'unit_key', r.v->>'actor',
        r.v->>'role', r.v->>'actor_unit', r.v->>'cause', r.v->>'idempotency_key', r.v->>'event',
        r.v->'payload', r.v->'state_before', r.v->'state_after', (r.v->>'occurred_at')::timestamptz,
        v_recorded::timestamptz, v_prevs[r.n], v_hashes[r.n], nullif(r.v->'content', 'null'::jsonb)
      from jsonb_array_elements(p_rows) with ordinality as r(v, n)
      order by r.n;
      update campaigns set journal_seq = v_seq, journal_head = v_prev where id = p_campaign;
      return v_seq;
    end
    $$;
  `.execute(db)
}

/** Back to a statement a row (migration 0008's function). */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create or replace function journal_append(p_campaign text, p_rows jsonb) returns integer
    language plpgsql as $$
    declare
      v_seq integer;
      v_prev text;
      v_recorded text;
      v_row jsonb;
      v_hash text;
    begin
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
  `.execute(db)
}
