/**
 * Probes of the queues and notices that stop at the first matching row, taken in an index's order.
 */
import { type RawBuilder, sql } from "kysely"
import type { Sql } from "../Db.ts"

/**
 * Whether a row of `from` matches `where`, asked as the first in the order of the partial index
 * that holds such rows (`order by … limit 1`). An `exists` drops the order: the planner, judging
 * from the statistics that many rows match, may then expect the first at once in the table's
 * order and scan the table for it, through every row done before — at 50,000 units a worker's
 * look scanned every timer, 37 ms and 5,098 buffers a look, where the index's first entry
 * answers (`plans.test.ts`). With the order and the limit the index is the plan whatever the
 * bound's value, so such a probe is prepared, its plan kept: planned afresh, a worker's look
 * spent eight times as long in the planner as in running (0.6 against 0.07 ms).
 */
export const anyInOrder = (from: string, where: RawBuilder<unknown>, orderBy: string) =>
  sql<boolean>`coalesce((select true from ${sql.raw(from)} where ${where} order by ${sql.raw(orderBy)} limit 1), false)`

/** A pending message available by `now`. */
export const messageDue = (now: Date, and: RawBuilder<unknown> = sql`true`) =>
  anyInOrder("messages", sql`status = 'pending' and available_at <= ${now} and ${and}`, "available_at, id")

/** A pending timer due by `now`. */
export const timerDue = (now: Date, and: RawBuilder<unknown> = sql`true`) =>
  anyInOrder("timers", sql`status = 'pending' and due_at <= ${now} and ${and}`, "due_at, id")

/**
 * Whether a timer or message due by `at` is still pending, held by a worker's batch or not: a
 * sweep to `at` has ended when none is.
 */
export const itemsDueLeft = (db: Sql, at: Date) =>
  sql<{ left: boolean }>`select ${messageDue(at)} or ${timerDue(at)} as left`
    .execute(db)
    .then((result) => result.rows[0]?.left ?? true)
