/**
 * The upkeep of the two tables every event rewrites. `campaigns` holds each campaign's journal
 * head, updated by every append: a vacuum that finds its last pages empty truncates them, which
 * takes the table's exclusive lock and so waits (up to 5 s, retrying) for a moment when no writer
 * holds the head, then stops every writer while it truncates — at 50,000 units 109 vacuums of
 * this one-row table took 311 ms each, up to 5 s. Its few pages are kept instead.
 * `machines` is analyzed by the default rule every time a tenth of its rows changed: at 50,000
 * units 119 analyzes of 300 ms or more in a run, each holding back the pruning of every hot row
 * while it runs. What its plans read (how many machines, of which campaign) changes only when a
 * campaign is deployed; a step changes a machine's phase and status, which no plan reads. It is
 * analyzed when as many rows changed as it holds (a deployment's inserts count).
 * Autovacuum reads these settings; so does the worker's upkeep where none runs.
 */
import { type Kysely, sql } from "kysely"

/** Keeps the head's pages, and analyzes the machines after a deployment or a full round of steps. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table campaigns set (vacuum_truncate = off);
    alter table machines set (autovacuum_analyze_scale_factor = 1);
  `.execute(db)
}

/** Back to the defaults. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table campaigns reset (vacuum_truncate);
    alter table machines reset (autovacuum_analyze_scale_factor);
  `.execute(db)
}
