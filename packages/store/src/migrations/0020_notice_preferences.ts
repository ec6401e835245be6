/**
 * A person's notice preferences: the kinds of notice they do not want by email (in-app
 * notices always arrive: they are the record), and quiet hours in their time zone during
 * which no email is sent. No row: every kind by email, no quiet hours.
 */
import { type Kysely, sql } from "kysely"

/** Adds notice_preferences, one row per principal. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create table notice_preferences (
      principal_id text primary key references principals (id),
      muted_kinds jsonb not null default '[]',
      quiet_from text check (quiet_from ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      quiet_to text check (quiet_to ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      time_zone text not null default 'Asia/Shanghai',
      updated_at timestamptz not null,
      check ((quiet_from is null) = (quiet_to is null)),
      check (quiet_from is null or quiet_from <> quiet_to)
    );
  `.execute(db)
}

/** Drops it. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`drop table notice_preferences;`.execute(db)
}
