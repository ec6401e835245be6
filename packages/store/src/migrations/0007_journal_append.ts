/**
 * Appending to a campaign's journal in one call: the head's lock, the hash of each row on
 * the one before (from its canonical text, of which the engine sends the pieces around the
 * sequence number and recording time it cannot know), the rows and the head's move all run
 * in the database. The campaign-wide lock is then held for one round trip and the commit,
 * instead of for a round trip to the engine and back in between.
 */
import { type Kysely, sql } from "kysely"

/** Creates `journal_append(campaign, rows)`; returns the campaign's last sequence number. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create function journal_append(p_campaign text, p_rows jsonb) returns integer
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
          event, payload, state_before, state_after, occurred_at, recorded_at, prev_hash, hash)
        values (p_campaign, v_seq, (v_row->>'machine_id')::bigint, v_row->>'unit_key', v_row->>'actor',
          v_row->>'role', v_row->>'actor_unit', v_row->>'cause', v_row->>'idempotency_key', v_row->>'event',
          v_row->'payload', v_row->'state_before', v_row->'state_after', (v_row->>'occurred_at')::timestamptz,
          v_recorded::timestamptz, v_prev, v_hash);
        v_prev := v_hash;
      end loop;
      update campaigns set journal_seq = v_seq, journal_head = v_prev where id = p_campaign;
      return v_seq;
    end
    $$;
  `.execute(db)
}

/** Drops it. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`drop function journal_append(text, jsonb)`.execute(db)
}
