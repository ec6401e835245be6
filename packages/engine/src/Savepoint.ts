/**
 * One step of a transaction that may fail without failing the transaction: run under a
 * savepoint, its writes undone if it fails, so the caller can record the failure in the same
 * transaction (still holding its locks) and go on.
 */
import { Cause, Effect, Exit } from "effect"
import { query, type Tx } from "./Db.ts"
import { StoreError } from "./Errors.ts"
import { markOf, rollbackTo } from "./JournalBuffer.ts"
import { releaseSavepoint, rollbackToSavepoint, savepoint } from "./sql/Savepoints.ts"

/** How a step under a savepoint ended. */
export type Attempt<A, E> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly cause: Cause.Cause<E> }

/**
 * Runs `effect` under the savepoint `name`. A serialization failure, a deadlock or an
 * interruption still fails the whole transaction (so it is retried from the start); any
 * other failure is rolled back to the savepoint and returned.
 */
export const underSavepoint = <A, E, R>(tx: Tx, name: string, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    // Steps pending from before are written with this statement, outside the savepoint.
    yield* query("savepoint", (db) => savepoint(db, name), tx)
    const mark = markOf(tx.journal)
    // Inside, each step is written at once: none is left pending for a rollback to miss.
    const deferred = tx.steps.defer
    tx.steps.defer = false
    const exit = yield* Effect.exit(effect)
    tx.steps.defer = deferred
    if (Exit.isSuccess(exit)) {
      yield* query("savepoint.release", (db) => releaseSavepoint(db, name), tx)
      return { ok: true, value: exit.value } as Attempt<A, E>
    }
    const error = Cause.squash(exit.cause)
    if (Cause.hasInterruptsOnly(exit.cause) || (error instanceof StoreError && error.retryable))
      return yield* Effect.failCause(exit.cause)
    yield* query("savepoint.rollback", (db) => rollbackToSavepoint(db, name), tx)
    // What the rollback undid of the journal is pending again; what was queued since, forgotten.
    rollbackTo(tx.journal, mark)
    return { ok: false, cause: exit.cause } as Attempt<A, E>
  })

/** A failure's cause in one line, for the item's record and the log. */
export const describeCause = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  return error instanceof StoreError
    ? `${error.en}: ${String(error.cause)}`
    : error instanceof Error
      ? error.message
      : String(error)
}
