/**
 * No statistics for the columns that are only carried: a journal row's event, states, content
 * and hashes, a machine's snapshot, a queued item's event, a notice's body, a report's
 * narrative, a command's answer and the hash of its request. No statement filters, joins or
 * sorts on them by their statistics (a filter on `payload ->> 'task'` is an expression, which they
 * do not describe; `result = 'null'` goes with a key), so the planner never reads what an analyze
 * learns of them; but an analyze sorts 30,000 sampled values of each to learn it: 180 of the 250
 * ms of analyzing a 13,500-row journal, half of analyzing the queues. Autovacuum and the worker's
 * upkeep (where none runs) analyze these tables while a campaign runs.
 */
import { type Kysely, sql } from "kysely"

/** The columns that are only carried, by table. */
export const carriedColumns = {
  journal: ["payload", "state_before", "state_after", "content", "prev_hash", "hash"],
  machines: ["snapshot"],
  timers: ["event"],
  messages: ["event"],
  notifications: ["body"],
  reports: ["narrative"],
  command_results: ["result", "request_hash"],
} as const

const setStatistics = async (db: Kysely<any>, target: number) => {
  for (const [table, columns] of Object.entries(carriedColumns))
    await sql`alter table ${sql.table(table)} ${sql.join(
      columns.map((column) => sql`alter column ${sql.ref(column)} set statistics ${sql.lit(target)}`),
    )}`.execute(db)
}

/** Collects none for them. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await setStatistics(db, 0)
}

/** Back to the server's default target. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await setStatistics(db, -1)
}
