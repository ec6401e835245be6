/** The principal behind an actor, as the API's `/me` shows it. */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { query } from "../Db.ts"
import { NotFound } from "../Errors.ts"

/** Id, name, role and unit (with its name) of a principal actor. */
export const describePrincipal = (actor: Actor) =>
  Effect.gen(function* () {
    if (actor.kind !== "principal") return yield* new NotFound({ what: "principal", ref: actor.id })
    const row = yield* query("principal.describe", (db) =>
      db
        .selectFrom("principals")
        .select(["principals.id", "principals.name", "principals.role", "principals.unit_key"])
        // Units belong to campaigns and an office may be named differently in each: its name here is
        // the one the latest deployed campaign naming it gives (the highest definition id, as each
        // deploy records a new definition and pins it).
        .select((eb) =>
          eb
            .selectFrom("units")
            .innerJoin("campaigns", "campaigns.id", "units.campaign_id")
            .select("units.name")
            .whereRef("units.key", "=", "principals.unit_key")
            .orderBy("campaigns.definition_id", "desc")
            .limit(1)
            .as("unit_name"),
        )
        .where("principals.id", "=", actor.id)
        .executeTakeFirst(),
    )
    if (row === undefined) return yield* new NotFound({ what: "principal", ref: actor.id })
    return { id: row.id, name: row.name, role: row.role, unit: row.unit_key, unitName: row.unit_name ?? null }
  })
