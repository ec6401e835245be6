/**
 * Indexes for claiming in time order per machine: the worker asks whether a
 * machine has an earlier pending timer or message before taking a later one.
 */
import { type Kysely, sql } from "kysely"

/** Adds the per-machine pending indexes. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create index timers_pending_by_machine on timers (machine_id, due_at, id) where status = 'pending';
    create index messages_pending_by_machine on messages (machine_id, available_at, id) where status = 'pending';
  `.execute(db)
}

/** Drops them. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`drop index timers_pending_by_machine; drop index messages_pending_by_machine;`.execute(db)
}
