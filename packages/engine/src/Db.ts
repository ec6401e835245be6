/**
 * The database as an Effect service: Kysely queries lifted into Effects, and
 * transactions that commit on success, roll back on any failure or
 * interruption, and retry serialization failures and deadlocks.
 */
import { type Database, genericPlan, isStalePlan, plannedEachTime, type Store, thenCommit } from "@liandong/store"
import { Context, Effect, Exit, Layer, Schedule } from "effect"
import { type Kysely, sql, type Transaction } from "kysely"
import { StoreError } from "./Errors.ts"
import { workChannel } from "./FollowUps.ts"
import { emptyJournal, type JournalBuffer, pendingRows } from "./JournalBuffer.ts"
import type { Sql } from "./sql/Handle.ts"
import type { LockedMachine } from "./sql/Locked.ts"
import { noStepRows, type StepRows, writeSteps } from "./sql/Machines.ts"

/** First in a statement planned afresh each time, never prepared (`plannedEachTime` in the store). */
export const unprepared = sql.raw(plannedEachTime)

/**
 * First in a transaction's first statement whose generic plan is as good as any: the transaction
 * keeps prepared statements' generic plans from it on (`genericPlan` in the store).
 */
export const keepsGenericPlan = sql.raw(genericPlan)

/** First in a transaction's last statement: its commit is sent with it (`thenCommit` in the store). */
export const commitsWith = sql.raw(thenCommit)

export type { Sql } from "./sql/Handle.ts"

/**
 * Machine steps computed and not yet written (`Step.ts`): written together, in one statement,
 * before the transaction's next statement of any kind, so nothing in the transaction ever
 * reads around them. One step a machine: a second step of a machine writes the first.
 */
export interface StepBuffer {
  rows: StepRows
  /** the machines with a step in `rows` */
  machines: Set<string>
  /** whether a step waits for the next statement, or is written at once */
  defer: boolean
  /** how many times steps were taken to be written, in this transaction */
  written: number
}

/** A transaction in progress and the journal rows it has queued (written by `Journal.ts` before it commits). */
export interface Tx {
  readonly db: Transaction<Database>
  readonly journal: JournalBuffer
  readonly steps: StepBuffer
  /** campaigns whose workers are woken once the transaction has committed (`Store.wake`) */
  readonly woken: Set<string>
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

/**
 * A message a transaction applied itself was sent meanwhile by another under the same key
 * (`FanIn.ts`): run again, the transaction finds it sent and neither sends nor applies it.
 */
const sentMeanwhile = (cause: unknown) =>
  typeof cause === "object" &&
  cause !== null &&
  "code" in cause &&
  cause.code === "23505" &&
  "constraint" in cause &&
  cause.constraint === "messages_dedupe_key_key"

/** Wraps a thrown database error as a StoreError that says whether a retry can help. */
export const toStoreError = (operation: string) => (cause: unknown) => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
  // A stale prepared statement is prepared again under a new name on the retry.
  const retryable = (code !== undefined && retryableCodes.has(code)) || isStalePlan(cause) || sentMeanwhile(cause)
  return new StoreError({ operation, code, retryable, cause })
}

/** The database service. */
export class Db extends Context.Service<Db, { readonly store: Store; readonly kysely: Kysely<Database> }>()(
  "@liandong/engine/Db",
) {
  /** Uses an opened store; closing it stays with whoever opened it. */
  static readonly fromStore = (store: Store) => Layer.succeed(Db)(Db.of({ store, kysely: store.db }))
}

const isTx = (on: Sql | Tx | undefined): on is Tx => on !== undefined && "journal" in on

/** Takes the transaction's pending machine steps, to be written by the caller's statement. */
export const takeSteps = (tx: Tx): { readonly rows: StepRows; readonly machines: ReadonlySet<string> } => {
  const taken = { rows: tx.steps.rows, machines: tx.steps.machines }
  for (const campaign of taken.rows.woken) tx.woken.add(campaign)
  tx.steps.rows = noStepRows()
  tx.steps.machines = new Set()
  tx.steps.written++
  return taken
}

/** Whether the transaction has steps (or a command's report or review) not yet written. */
export const stepsPending = (tx: Tx): boolean =>
  tx.steps.machines.size > 0 ||
  tx.steps.rows.reports.length > 0 ||
  tx.steps.rows.reviews.length > 0 ||
  tx.steps.rows.completed.timers.length > 0 ||
  tx.steps.rows.completed.messages.length > 0

/** Writes the transaction's pending machine steps, if any, in one statement. */
export const flushSteps = (tx: Tx): Effect.Effect<void, StoreError> =>
  Effect.suspend(() => {
    if (!stepsPending(tx)) return Effect.void
    const { rows } = takeSteps(tx)
    // The statement fails unless every step met its machine (and report) as it began.
    return Effect.asVoid(
      Effect.tryPromise({ try: () => writeSteps(tx.db, rows), catch: toStoreError("machine.steps") }),
    )
  })

const run = <A>(operation: string, statement: (sql: Sql) => Promise<A>, on: Sql | Tx | undefined) =>
  Effect.flatMap(Effect.service(Db), (db) =>
    Effect.tryPromise({
      try: () => statement(on === undefined ? db.kysely : isTx(on) ? on.db : on),
      catch: toStoreError(operation),
    }),
  )

/**
 * Runs one Kysely query (or several in a promise) as an Effect: on `on` (a handle or a
 * transaction, its pending steps written first), or the pool.
 */
export const query = <A>(operation: string, statement: (sql: Sql) => Promise<A>, on?: Sql | Tx) =>
  isTx(on) && stepsPending(on)
    ? Effect.andThen(flushSteps(on), run(operation, statement, on))
    : run(operation, statement, on)

/**
 * `query` in a transaction, its pending steps left pending: for a statement that neither reads
 * nor writes what a pending step writes (machines, campaigns, tasks, timers, messages,
 * notifications, a command's report or review) — the uploads a report names, a report found by
 * id — or that writes them itself.
 */
export const queryBesideSteps = <A>(operation: string, statement: (sql: Sql) => Promise<A>, tx: Tx) =>
  run(operation, statement, tx)

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
        const tx: Tx = {
          db: handle,
          journal: emptyJournal(),
          steps: { rows: noStepRows(), machines: new Set(), defer: false, written: 0 },
          woken: new Set(),
        }
        return Effect.flatMap(body(tx), (result) =>
          pendingRows(tx.journal).length > 0 || stepsPending(tx)
            ? Effect.die(new Error(`${operation}: journal rows or steps queued but never written`))
            : Effect.as(
                Effect.tryPromise({
                  try: async () => {
                    await handle.commit().execute()
                    // Committed: what it queued for the workers is there for them to find.
                    if (tx.woken.size > 0) db.store.wake(workChannel, tx.woken)
                  },
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
