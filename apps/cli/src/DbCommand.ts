/** `liandong db migrate`: bring the database schema up to date. */
import { Db } from "@liandong/engine"
import { migrateToLatest } from "@liandong/store"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { run } from "./Run.ts"

const migrate = Command.make("migrate", {}, () =>
  run(function* () {
    const { store } = yield* Db
    const result = yield* Effect.promise(() => migrateToLatest(store.db))
    return result.applied.length === 0
      ? `数据库已是最新 / database is up to date (${store.describe})`
      : `已执行迁移 / applied: ${result.applied.join(", ")} (${store.describe})`
  }),
)

/** The db command group. */
export const dbCommand = Command.make("db").pipe(
  Command.withSubcommands([migrate]),
  Command.withDescription("数据库管理 / database management"),
)
