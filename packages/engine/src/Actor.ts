/**
 * Who acts: a principal (a person or token with a role and a unit), the
 * operator running the CLI against its own database, or the worker.
 */
import { Effect } from "effect"
import { query, type Sql } from "./Db.ts"
import { NotFound } from "./Errors.ts"
import { selectEnabledPrincipal } from "./sql/Directory.ts"

/** The roles a principal can hold. */
export type PrincipalRole = "coordinator" | "unit" | "auditor"

/** Anyone or anything an event can be attributed to. */
export type Actor =
  | { readonly kind: "principal"; readonly id: string; readonly role: PrincipalRole; readonly unit: string | null }
  | { readonly kind: "operator"; readonly id: string }
  | { readonly kind: "system"; readonly id: "system" }

/** The operator: whoever runs the CLI with direct access to the database (deploys, manages principals). */
export const operator: Actor = { kind: "operator", id: "operator" }

/** The worker, acting on timers and messages. */
export const system: Actor = { kind: "system", id: "system" }

/** The role written to the journal for an actor. */
export const actorRole = (actor: Actor): string => (actor.kind === "principal" ? actor.role : actor.kind)

/** The unit written to the journal for an actor. */
export const actorUnit = (actor: Actor): string | null => (actor.kind === "principal" ? actor.unit : null)

/** Loads an enabled principal as an actor. */
export const loadActor = (principalId: string, sql?: Sql) =>
  Effect.gen(function* () {
    const row = yield* query("principal.load", (db) => selectEnabledPrincipal(db, principalId), sql)
    if (row === undefined) return yield* new NotFound({ what: "principal", ref: principalId })
    return { kind: "principal", id: row.id, role: row.role, unit: row.unit_key } satisfies Actor as Actor
  })
