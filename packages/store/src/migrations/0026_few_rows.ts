/**
 * `liandong_rows(jsonb)`: the elements of a JSON array, as `jsonb_array_elements` gives them, but
 * estimated at one row. The engine sends a statement's rows as one JSON parameter; PostgreSQL
 * estimates any set-returning function at 100 rows, and against that a hash join over a whole
 * table looks cheaper than 100 index lookups. A step's update of its machine (1 to 32 rows in
 * truth) then read every machine of a 500-unit campaign, and its cancelled timers every timer,
 * at each step. Declared strict so that it is not inlined, which would lose the estimate.
 */
import { type Kysely, sql } from "kysely"

/** Creates the function. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create function liandong_rows(p_rows jsonb) returns setof jsonb
    language sql immutable strict parallel safe rows 1
    as $$ select jsonb_array_elements(p_rows) $$;
    -- As for every function of the schema (0010): the application role gets it from \`db roles\`.
    revoke all on function liandong_rows(jsonb) from public
  `.execute(db)
}

/** Drops it. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`drop function liandong_rows(jsonb)`.execute(db)
}
