/** Whether the database answers: for /readyz, and to tell an outage (503) from a fault (500). */
import { Db } from "@liandong/engine"
import { Effect } from "effect"
import { sql } from "kysely"

/** True when `select 1` answers within two seconds. */
export const databaseAnswers: Effect.Effect<boolean, never, Db> = Effect.flatMap(Effect.service(Db), (db) =>
  Effect.tryPromise(() => sql`select 1`.execute(db.kysely)).pipe(
    Effect.timeout("2 seconds"),
    Effect.as(true),
    Effect.orElseSucceed(() => false),
  ),
)
