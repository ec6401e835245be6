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

/**
 * Whether a row of `from` matching `where`, taken in `orderBy`'s order, passes `passes`: a test
 * with a side effect (taking a lock), asked of the rows in that order and of no more than it
 * takes to find one that passes, whatever the plan. In the same `where` the test would be asked
 * of every matching row before a sort when the plan sorts rather than walks the index — as a
 * prepared statement's plan made while its table was empty does, until the table is analyzed:
 * at a national opening a worker's look took a lock for each of 50,000 pending messages and ran
 * the server out of lock space. In a subquery kept apart (`offset 0`) it is not pushed down
 * (PostgreSQL pushes no volatile test into a subquery).
 */
export const firstInOrderPassing = (
  from: string,
  where: RawBuilder<unknown>,
  orderBy: string,
  columns: string,
  passes: RawBuilder<unknown>,
) =>
  sql<boolean>`coalesce((select true from (select ${sql.raw(columns)} from ${sql.raw(from)} where ${where}
    order by ${sql.raw(orderBy)} offset 0) c where ${passes} limit 1), false)`

/** A pending message available by `now`; with `passes`, the first such (by its machine) that passes it. */
export const messageDue = (now: Date, passes?: RawBuilder<unknown>) => {
  const where = sql`status = 'pending' and available_at <= ${now}`
  return passes === undefined
    ? anyInOrder("messages", where, "available_at, id")
    : firstInOrderPassing("messages", where, "available_at, id", "machine_id", passes)
}

/** A pending timer due by `now`; with `passes`, the first such (by its machine) that passes it. */
export const timerDue = (now: Date, passes?: RawBuilder<unknown>) => {
  const where = sql`status = 'pending' and due_at <= ${now}`
  return passes === undefined
    ? anyInOrder("timers", where, "due_at, id")
    : firstInOrderPassing("timers", where, "due_at, id", "machine_id", passes)
}

/**
 * Whether a timer or message due by `at` is still pending, held by a worker's batch or not: a
 * sweep to `at` has ended when none is.
 */
export const itemsDueLeft = (db: Sql, at: Date) =>
  sql<{ left: boolean }>`select ${messageDue(at)} or ${timerDue(at)} as left`
    .execute(db)
    .then((result) => result.rows[0]?.left ?? true)
