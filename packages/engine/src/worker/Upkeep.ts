/**
 * Statistics and dead rows kept in check where no autovacuum does it: PGlite has none, and a
 * PostgreSQL server may run with it off. Without it the planner keeps what it learned while a
 * table was empty: a plan prepared then (a foreign key's check is one) scans the table for as
 * long as the connection lives, and the queues' partial indexes fill with dead entries that
 * every look walks. A 50,000-unit run on a server without autovacuum slowed fourfold that way.
 *
 * Each round does what autovacuum would, by its rules: a table with more dead row versions
 * than its threshold (by default 50 + 20 % of its rows; the queues, 1,000 + 1 %) is vacuumed,
 * one with more changed rows since its last analyze than its analyze threshold (50 + 10 %; the
 * queues, 1,000 + 2 %; the machines and the journal, 50 + 100 %) is analyzed. Only tables this
 * role may maintain (the schema's owner's; a least-privilege application role maintains none and
 * autovacuum should be on), and one process at a time; on PostgreSQL at autovacuum's pace (its
 * cost delay and limit), so that the commands beside a round keep their share of the machine. Not
 * on PGlite: its one thread would wait out every rest with nothing else to do meanwhile.
 */
import { Effect, Schedule } from "effect"
import { Db, query } from "../Db.ts"
import type { StoreError } from "../Errors.ts"
import { Log } from "../Log.ts"
import {
  maintainTable,
  paceLikeAutovacuum,
  releaseUpkeepLock,
  selectTablesDue,
  type TableDue,
  tryUpkeepLock,
  unpace,
} from "../sql/Upkeep.ts"

/** What a round did: the tables it vacuumed or analyzed, at which cost delay (null: unpaced, or nothing due). */
export interface UpkeepDone {
  readonly tables: ReadonlyArray<TableDue>
  readonly pace: string | null
}

/** One round of upkeep (nothing if another process holds the round). */
export const upkeepRound: Effect.Effect<UpkeepDone, StoreError, Db> = Effect.gen(function* () {
  const { store } = yield* Db
  const embedded = store.kind === "pglite"
  // One connection for the whole round: the session lock is held by the connection that took it.
  return yield* query("upkeep.round", (db) =>
    db.connection().execute(async (connection) => {
      if (!(await tryUpkeepLock(connection))) return { tables: [], pace: null }
      try {
        const due = await selectTablesDue(connection, embedded)
        const paced = due.length > 0 && !embedded
        const pace = paced ? await paceLikeAutovacuum(connection) : null
        try {
          for (const table of due) await maintainTable(connection, table)
        } finally {
          // The connection goes back to the pool as it came.
          if (paced) await unpace(connection)
        }
        return { tables: due, pace }
      } finally {
        await releaseUpkeepLock(connection)
      }
    }),
  )
})

/** Runs a round every `everyMs` for as long as the scope lives; a failed round is logged and the next one tries again. */
export const keepUp = (everyMs: number) =>
  Effect.gen(function* () {
    const log = yield* Log
    const round = Effect.suspend(() => {
      const started = performance.now()
      return Effect.tap(upkeepRound, ({ tables, pace }) =>
        Effect.sync(() => {
          if (tables.length > 0)
            log.info(
              {
                vacuumed: tables.filter((t) => t.vacuum).map((t) => t.table),
                analyzed: tables.filter((t) => t.analyze).map((t) => t.table),
                pace,
                ms: Math.round(performance.now() - started),
              },
              "upkeep",
            )
        }),
      )
    }).pipe(
      Effect.catch((error) => Effect.sync(() => log.warn({ err: error }, "upkeep failed; the next round tries again"))),
    )
    const every = `${everyMs} millis` as const
    // The first round after an interval, as autovacuum's first look: a worker starts with other work.
    yield* Effect.forkScoped(Effect.andThen(Effect.sleep(every), Effect.repeat(round, Schedule.spaced(every))))
  })
