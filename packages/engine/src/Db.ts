/**
 * The database as an Effect service: Kysely queries lifted into Effects, and
 * transactions that commit on success, roll back on any failure or
 * interruption, and retry serialization failures and deadlocks.
 */
import { type Database, isStalePlan, plannedEachTime, type Store, thenCommit } from "@liandong/store"
import { Context, Effect, Exit, Layer, Schedule } from "effect"
import { type Kysely, sql, type Transaction } from "kysely"
import { StoreError } from "./Errors.ts"
import { emptyJournal, type JournalBuffer, pendingRows } from "./JournalBuffer.ts"
import type { LockedMachine } from "./sql/Locked.ts"

/** First in a statement planned afresh each time, never prepared (`plannedEachTime` in the store). */
export const unprepared = sql.raw(plannedEachTime)

/** First in a transaction's last statement: its commit is sent with it (`thenCommit` in the store). */
export const commitsWith = sql.raw(thenCommit)

/** A Kysely handle: the pool, or a transaction in progress. */
export type Sql = Kysely<Database> | Transaction<Database>

/** A transaction in progress and the journal rows it has queued (written by `Journal.ts` before it commits). */
export interface Tx {
  readonly db: Transaction<Database>
  readonly journal: JournalBuffer
  /**
   * An idempotency key a command claims with the lock of its machine (`GroupCommit.ts`): set
   * before its work, taken by the statement that locks the machine, which says whether it
   * was claimed.
   */
  claim?: KeyClaim
  /**
   * The machine of the command about to run, locked with its batch's (`lockMachinesWithDue`):
   * taken by `applyCommand` instead of locking it itself.
   */
  locked?: LockedMachine
}

/** An idempotency key to claim, and once tried whether this transaction claimed it. */
export interface KeyClaim {
  readonly principalId: string
  readonly key: string
  readonly requestHash: string
  claimed?: boolean
}

const retryableCodes = new Set(["40001", "40P01"])

/** Wraps a thrown database error as a StoreError that says whether a retry can help. */
export const toStoreError = (operation: string) => (cause: unknown) => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
  // A stale prepared statement is prepared again under a new name on the retry.
  const retryable = (code !== undefined && retryableCodes.has(code)) || isStalePlan(cause)
  return new StoreError({ operation, code, retryable, cause })
}

/** The database service. */
export class Db extends Context.Service<Db, { readonly store: Store; readonly kysely: Kysely<Database> }>()(
  "@liandong/engine/Db",
) {
  /** Uses an opened store; closing it stays with whoever opened it. */
  static readonly fromStore = (store: Store) => Layer.succeed(Db)(Db.of({ store, kysely: store.db }))
}

const handleOf = (on: Sql | Tx): Sql => ("journal" in on ? on.db : on)

/** Runs one Kysely query (or several in a promise) as an Effect: on `on` (a handle or a transaction), or the pool. */
export const query = <A>(operation: string, run: (sql: Sql) => Promise<A>, on?: Sql | Tx) =>
  Effect.flatMap(Effect.service(Db), (db) =>
    Effect.tryPromise({ try: () => run(on === undefined ? db.kysely : handleOf(on)), catch: toStoreError(operation) }),
  )

/**
 * Runs `body` in one transaction; retried from the start on a serialization failure or
 * deadlock. Journal rows must be written before it ends (`journaled` in `Journal.ts`):
 * a transaction that would commit with rows still queued fails instead.
 */
export const transaction = <A, E, R>(
  operation: string,
  body: (tx: Tx) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E | StoreError, R | Db> =>
  Effect.flatMap(Effect.service(Db), (db) =>
    Effect.acquireUseRelease(
      Effect.tryPromise({
        try: () => db.kysely.startTransaction().execute(),
        catch: toStoreError(`${operation}.begin`),
      }),
      (handle) => {
        const tx: Tx = { db: handle, journal: emptyJournal() }
        return Effect.flatMap(body(tx), (result) =>
          pendingRows(tx.journal).length > 0
            ? Effect.die(new Error(`${operation}: journal rows queued but never written`))
            : Effect.as(
                Effect.tryPromise({
                  try: () => handle.commit().execute(),
                  catch: toStoreError(`${operation}.commit`),
                }),
                result,
              ),
        )
      },
      (handle, exit) =>
        Exit.isSuccess(exit)
          ? Effect.void
          : Effect.ignore(
              Effect.tryPromise({
                try: () => handle.rollback().execute(),
                catch: toStoreError(`${operation}.rollback`),
              }),
            ),
    ).pipe(
      Effect.retry({
        while: (error) => error instanceof StoreError && error.retryable,
        times: 8,
        schedule: Schedule.exponential("10 millis").pipe(Schedule.jittered),
      }),
    ),
  )
