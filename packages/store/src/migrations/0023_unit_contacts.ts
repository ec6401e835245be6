/**
 * A notice's fan-out finds its unit's contacts: principals by unit. Without an index that was
 * a scan of every principal, once a notice, so a fan-out's cost grew with the nation (50,000
 * units: a scan of 50,000 rows for each batch of notices).
 */
import { type Kysely, sql } from "kysely"

/** Indexes the units' enabled contacts by unit. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create index principals_unit_contacts on principals (unit_key) where role = 'unit' and disabled_at is null;
  `.execute(db)
}

/** Drops the index. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`drop index principals_unit_contacts;`.execute(db)
}
