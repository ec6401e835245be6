/**
 * `liandong_steps_as_begun(saved, machines, reviewed, reviews, written)`: true when a statement
 * writing steps saved every machine at the version its step began from and reviewed every report
 * its machine showed awaiting review; otherwise it raises, and the statement (with the commit
 * sent behind it) changes nothing. Both rows are locked by the writer, so a miss is a defect or a
 * change made behind the application's back, never a race; refused, it leaves no half-written
 * step behind. `written` (the rows the statement's other writes returned) is not looked at: as an
 * argument of a volatile call it makes those writes run to their end before whatever the
 * statement does with the call's result — the journal's append, which takes the campaign's head.
 */
import { type Kysely, sql } from "kysely"

/** Creates the function. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create function liandong_steps_as_begun(p_saved int, p_machines int, p_reviewed int, p_reviews int, p_written bigint)
    returns boolean language plpgsql volatile
    as $$
    begin
      if p_saved is distinct from p_machines then
        raise exception 'steps: % of % machines were at the versions their steps began from', p_saved, p_machines
          using errcode = 'P0001', hint = 'liandong.steps';
      end if;
      if p_reviewed is distinct from p_reviews then
        raise exception 'steps: % of % reports reviewed awaited review', p_reviewed, p_reviews
          using errcode = 'P0001', hint = 'liandong.steps';
      end if;
      return true;
    end $$;
    -- As for every function of the schema (0010): the application role gets it from \`db roles\`.
    revoke all on function liandong_steps_as_begun(int, int, int, int, bigint) from public
  `.execute(db)
}

/** Drops it. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`drop function liandong_steps_as_begun(int, int, int, int, bigint)`.execute(db)
}
