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
 * queues, 1,000 + 2 %; the machines, 50 + 100 %) is analyzed. Only tables this role may maintain
 * (the schema's owner's; a least-privilege application role maintains none and autovacuum
 * should be on), and one process at a time.
 */
import { Effect, Schedule } from "effect"
import { Db, query } from "../Db.ts"
import type { StoreError } from "../Errors.ts"
import { Log } from "../Log.ts"
import { maintainTable, releaseUpkeepLock, selectTablesDue, type TableDue, tryUpkeepLock } from "../sql/Upkeep.ts"

/** One round of upkeep: the tables it vacuumed or analyzed (none if another process holds the round). */
export const upkeepRound: Effect.Effect<ReadonlyArray<TableDue>, StoreError, Db> = Effect.gen(function* () {
  const { store } = yield* Db
  const embedded = store.kind === "pglite"
  // One connection for the whole round: the session lock is held by the connection that took it.
  return yield* query("upkeep.round", (db) =>
    db.connection().execute(async (connection) => {
      if (!(await tryUpkeepLock(connection))) return []
      try {
        const due = await selectTablesDue(connection, embedded)
        for (const table of due) await maintainTable(connection, table)
        return due
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
      return Effect.tap(upkeepRound, (tables) =>
        Effect.sync(() => {
          if (tables.length > 0)
            log.info(
              {
                vacuumed: tables.filter((t) => t.vacuum).map((t) => t.table),
                analyzed: tables.filter((t) => t.analyze).map((t) => t.table),
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
