/**
 * HTTP requests' idempotency records (`request:<key>` rows of command_results)
 * expire after a retention; this index lets the server find the oldest ones
 * without reading the whole table.
 */
import { type Kysely, sql } from "kysely"

/** Adds the index of request records by age. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create index command_results_requests_by_age on command_results (created_at)
      where idempotency_key like 'request:%'
  `.execute(db)
}

/** Drops it. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`drop index command_results_requests_by_age`.execute(db)
}
