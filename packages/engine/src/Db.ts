/**
 * The database as an Effect service: Kysely queries lifted into Effects, and
 * transactions that commit on success, roll back on any failure or
 * interruption, and retry serialization failures and deadlocks.
 */
import type { Database, Store } from "@liandong/store"
import { Context, Effect, Exit, Layer, Schedule } from "effect"
import type { Kysely, Transaction } from "kysely"
import { StoreError } from "./Errors.ts"
import { flushJournal } from "./Journal.ts"

/** A Kysely handle: the pool, or a transaction in progress. */
export type Sql = Kysely<Database> | Transaction<Database>

const retryableCodes = new Set(["40001", "40P01"])

/** Wraps a thrown database error as a StoreError that says whether a retry can help. */
export const toStoreError = (operation: string) => (cause: unknown) => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
  return new StoreError({ operation, code, retryable: code !== undefined && retryableCodes.has(code), cause })
}

/** The database service. */
export class Db extends Context.Service<Db, { readonly store: Store; readonly kysely: Kysely<Database> }>()(
  "@liandong/engine/Db",
) {
  /** Uses an opened store; closing it stays with whoever opened it. */
  static readonly fromStore = (store: Store) => Layer.succeed(Db)(Db.of({ store, kysely: store.db }))
}

/** Runs one Kysely query (or several in a promise) as an Effect. */
export const query = <A>(operation: string, run: (sql: Sql) => Promise<A>, sql?: Sql) =>
  Effect.flatMap(Effect.service(Db), (db) =>
    Effect.tryPromise({ try: () => run(sql ?? db.kysely), catch: toStoreError(operation) }),
  )

/** Runs `body` in one transaction; retried from the start on a serialization failure or deadlock. */
export const transaction = <A, E, R>(
  operation: string,
  body: (tx: Transaction<Database>) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E | StoreError, R | Db> =>
  Effect.flatMap(Effect.service(Db), (db) =>
    Effect.acquireUseRelease(
      Effect.tryPromise({
        try: () => db.kysely.startTransaction().execute(),
        catch: toStoreError(`${operation}.begin`),
      }),
      (tx) =>
        Effect.flatMap(body(tx), (result) =>
          // Journal entries still queued are written last, just before the commit.
          flushJournal(tx).pipe(
            Effect.provideService(Db, db),
            Effect.andThen(
              Effect.tryPromise({ try: () => tx.commit().execute(), catch: toStoreError(`${operation}.commit`) }),
            ),
            Effect.as(result),
          ),
        ),
      (tx, exit) =>
        Exit.isSuccess(exit)
          ? Effect.void
          : Effect.ignore(
              Effect.tryPromise({ try: () => tx.rollback().execute(), catch: toStoreError(`${operation}.rollback`) }),
            ),
    ).pipe(
      Effect.retry({
        while: (error) => error instanceof StoreError && error.retryable,
        times: 8,
        schedule: Schedule.exponential("10 millis").pipe(Schedule.jittered),
      }),
    ),
  )
