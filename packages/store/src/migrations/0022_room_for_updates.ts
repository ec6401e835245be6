/**
 * Every step rewrites its machine's row and its unit's task rows. Packed full, a page has no
 * room for the new version, so each update went to another page with new index entries, and
 * the old version waited for a vacuum: a table of 50,000 units outgrew the buffer cache within
 * minutes. Left room, an update stays on its page (a heap-only tuple, no index entry) and the
 * page is pruned when it fills, with or without autovacuum.
 */
import { type Kysely, sql } from "kysely"

/** Leaves room on each page of the rows every step rewrites. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table machines set (fillfactor = 70);
    alter table tasks set (fillfactor = 70);
  `.execute(db)
}

/** Pages filled again (new pages only, as for any fillfactor). */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table machines reset (fillfactor);
    alter table tasks reset (fillfactor);
  `.execute(db)
}
