/**
 * Refused attempts, counted per window: one row per (principal, action, target).
 * The first refusal of a window is journaled in its campaign's chain; later ones
 * in the window only raise `attempts` here, and `pending` counts refusals no
 * journal row has reported yet: the next journaled refusal of the key carries it.
 * A target with no campaign (a campaign that does not exist, or one the caller
 * takes no part in) is recorded here alone.
 */
import { type Kysely, sql } from "kysely"

/** Creates the table of refusal windows. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create table denials (
      principal text not null,
      action text not null,
      target text not null,
      campaign_id text,
      journaled boolean not null,
      window_start timestamptz not null,
      last_at timestamptz not null,
      attempts integer not null,
      pending integer not null default 0,
      primary key (principal, action, target)
    )
  `.execute(db)
  await sql`create index denials_by_campaign on denials (campaign_id, last_at)`.execute(db)
}

/** Drops it. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`drop table denials`.execute(db)
}
