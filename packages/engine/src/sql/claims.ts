/**
 * The worker's queue protocol, one statement per function: claim the next due
 * timer or pending message with SKIP LOCKED (so any number of workers share
 * the queue without waiting on each other), then mark it done, moot or failed
 * in the transaction that applied it.
 */
import type { Database } from "@liandong/store"
import type { Kysely, Transaction } from "kysely"

/** Claims the earliest timer due at `now`, or nothing. */
export const claimDueTimer = (tx: Transaction<Database>, now: Date) =>
  tx
    .selectFrom("timers")
    .selectAll()
    .where("status", "=", "pending")
    .where("due_at", "<=", now)
    .orderBy("due_at")
    .orderBy("id")
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()

/** Claims the oldest message available at `now`, or nothing. */
export const claimMessage = (tx: Transaction<Database>, now: Date) =>
  tx
    .selectFrom("messages")
    .selectAll()
    .where("status", "=", "pending")
    .where("available_at", "<=", now)
    .orderBy("available_at")
    .orderBy("id")
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()

/** Marks a claimed timer as applied (`done`) or as no longer accepted by its machine (`moot`). */
export const completeTimer = (
  tx: Transaction<Database>,
  id: string,
  status: "done" | "moot",
  at: Date,
  note: string | null,
) => tx.updateTable("timers").set({ status, done_at: at, last_error: note }).where("id", "=", id).execute()

/** Marks a claimed message as applied or moot. */
export const completeMessage = (
  tx: Transaction<Database>,
  id: string,
  status: "done" | "moot",
  at: Date,
  note: string | null,
) => tx.updateTable("messages").set({ status, done_at: at, last_error: note }).where("id", "=", id).execute()

/** Records a failed attempt at a timer: retried later, or parked as `dead` after too many. */
export const failTimer = (db: Kysely<Database>, id: string, error: string, retryAt: Date, maxAttempts: number) =>
  db
    .updateTable("timers")
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      last_error: error,
      due_at: retryAt,
      status: eb
        .case()
        .when("attempts", ">=", maxAttempts - 1)
        .then("dead")
        .else("pending")
        .end()
        .$castTo<"dead" | "pending">(),
    }))
    .where("id", "=", id)
    .where("status", "=", "pending")
    .execute()

/** Records a failed attempt at a message: retried later, or parked as `dead` after too many. */
export const failMessage = (db: Kysely<Database>, id: string, error: string, retryAt: Date, maxAttempts: number) =>
  db
    .updateTable("messages")
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      last_error: error,
      available_at: retryAt,
      status: eb
        .case()
        .when("attempts", ">=", maxAttempts - 1)
        .then("dead")
        .else("pending")
        .end()
        .$castTo<"dead" | "pending">(),
    }))
    .where("id", "=", id)
    .where("status", "=", "pending")
    .execute()

/** The earliest pending timer's due time, for sleeping until then. */
export const nextDueAt = (db: Kysely<Database>) =>
  db
    .selectFrom("timers")
    .select((eb) => eb.fn.min("due_at").as("due_at"))
    .where("status", "=", "pending")
    .executeTakeFirst()
