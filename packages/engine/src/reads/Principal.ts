/** The principal behind an actor, as the API's `/me` shows it. */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { query } from "../Db.ts"
import { NotFound } from "../Errors.ts"
import { selectPrincipalWithUnitName } from "../sql/Directory.ts"

/** Id, name, role and unit (with its name) of a principal actor. */
export const describePrincipal = (actor: Actor) =>
  Effect.gen(function* () {
    if (actor.kind !== "principal") return yield* new NotFound({ what: "principal", ref: actor.id })
    const row = yield* query("principal.describe", (db) => selectPrincipalWithUnitName(db, actor.id))
    if (row === undefined) return yield* new NotFound({ what: "principal", ref: actor.id })
    return { id: row.id, name: row.name, role: row.role, unit: row.unit_key, unitName: row.unit_name ?? null }
  })
