/**
 * The queues are vacuumed and analyzed early. A queue's rows change state once each (pending,
 * then done), so its partial indexes of pending rows fill with the dead entries of done ones;
 * by the default rule a table is vacuumed only once a fifth of it is dead, and a queue that
 * keeps every item it ever held is vacuumed ever more rarely. Meanwhile every claim, every look
 * and every lock's look at a machine's next item walks those entries: at 50,000 units, 683 pages
 * of them for each machine a command locked (16 ms each). Its pending share also swings from
 * none to 50,000 in the second a phase opens, so its statistics are soon wrong.
 * Autovacuum reads these settings; so does the worker's upkeep where none runs.
 */
import { type Kysely, sql } from "kysely"

const queues = ["messages", "timers", "notifications", "deliveries"] as const

/** Vacuums a queue past 1,000 dead rows and 1 % of it, analyzes it past 1,000 changed rows and 2 %. */
export const up = async (db: Kysely<any>): Promise<void> => {
  for (const table of queues)
    await sql`alter table ${sql.table(table)} set (autovacuum_vacuum_threshold = 1000,
      autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_threshold = 1000,
      autovacuum_analyze_scale_factor = 0.02)`.execute(db)
}

/** Back to the defaults. */
export const down = async (db: Kysely<any>): Promise<void> => {
  for (const table of queues)
    await sql`alter table ${sql.table(table)} reset (autovacuum_vacuum_threshold, autovacuum_vacuum_scale_factor,
      autovacuum_analyze_threshold, autovacuum_analyze_scale_factor)`.execute(db)
}
