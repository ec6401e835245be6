/**
 * What an operator does to the database itself, through the engine: ask
 * whether it answers, bring its schema up to date, grant the application role
 * its rights. Apps never hold the database handle; they call these.
 */
import { type AppRoleOptions, applyAppPrivileges, migrateToLatest, PrivilegeError } from "@liandong/store"
import { Effect } from "effect"
import { enrolEarlierSigners } from "./audit/EarlierSigners.ts"
import { Db, query } from "./Db.ts"
import { selectOne } from "./sql/Health.ts"

/** Which database the engine runs on and where it is (no password). */
export const databaseInfo = Effect.map(Effect.service(Db), (db) => ({
  kind: db.store.kind,
  describe: db.store.describe,
}))

/** True when the database answers `select 1` within two seconds (readiness, and outage versus fault). */
export const ping: Effect.Effect<boolean, never, Db> = query("health.ping", selectOne).pipe(
  Effect.timeout("2 seconds"),
  Effect.as(true),
  Effect.orElseSucceed(() => false),
)

/** As `ping` where the database service is provided; true where it is not (nothing to blame on it). */
export const pingIfProvided: Effect.Effect<boolean> = Effect.flatMap(Effect.serviceOption(Db), (db) =>
  db._tag === "Some" ? Effect.provideService(ping, Db, db.value) : Effect.succeed(true),
)

/**
 * Applies the migrations not yet applied (as the schema's owner); names them and the database.
 * Then the deployment's key joins the ring where checkpoints older than the ring need it.
 */
export const migrateDatabase = Effect.gen(function* () {
  const db = yield* Effect.service(Db)
  const result = yield* Effect.promise(() => migrateToLatest(db.store.db))
  const keys = yield* enrolEarlierSigners
  return { applied: result.applied, describe: db.store.describe, keys }
})

/** Creates or updates the application role with exactly its rights; PostgreSQL only. */
export const grantAppRole = (options: AppRoleOptions) =>
  Effect.gen(function* () {
    const db = yield* Effect.service(Db)
    if (db.store.kind !== "postgres")
      return yield* Effect.fail(
        new PrivilegeError(
          "嵌入式数据库(PGlite)只有一个超级用户,角色只适用于 PostgreSQL",
          "the embedded database (PGlite) has a single superuser: roles apply to PostgreSQL only",
        ),
      )
    const result = yield* Effect.tryPromise({
      try: () => applyAppPrivileges(db.store.db, options),
      // A PrivilegeError says what to do; anything else is the database's own failure, passed on as it is.
      catch: (error) => error,
    })
    return { ...result, describe: db.store.describe }
  })
