/**
 * The journal is analyzed when as many rows were appended as it holds, not at every tenth. It is
 * append-only, and its plans go by the index of a campaign's sequence or units; an analyze
 * samples up to 30,000 rows and took a core for 60–140 ms at 13,500 rows (three a default bench
 * run), and 31 of them 11 s of a national run. Autovacuum reads the setting; so does the worker's
 * upkeep where none runs.
 */
import { type Kysely, sql } from "kysely"

/** Analyzed at each doubling. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`alter table journal set (autovacuum_analyze_scale_factor = 1)`.execute(db)
}

/** Back to the default. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`alter table journal reset (autovacuum_analyze_scale_factor)`.execute(db)
}
