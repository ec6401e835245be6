/**
 * The directory's people: principals with a role and a unit. Managed by the
 * operator; an identity provider can later map its users onto the same rows.
 */
import { Effect, Schema } from "effect"
import type { Actor } from "./Actor.ts"
import { query } from "./Db.ts"
import { InvalidInput, NotAllowed } from "./Errors.ts"
import { decode } from "./Refs.ts"
import {
  selectNamedUnitKeys,
  selectPrincipals,
  unitKeyExists,
  upsertPrincipal,
  upsertPrincipals,
} from "./sql/Directory.ts"

/** A principal as the operator declares it. */
export const PrincipalInput = Schema.Struct({
  id: Schema.String.check(
    Schema.isPattern(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
      message: "用户标识须为小写字母、数字、点、下划线或连字符 / lower-case letters, digits, dot, underscore or dash",
    }),
  ),
  name: Schema.NonEmptyString,
  role: Schema.Literals(["coordinator", "unit", "auditor"]),
  unit: Schema.optional(Schema.String),
})

/** Adds (or updates) a principal; only the operator manages the directory. */
export const addPrincipal = (input: unknown, actor: Actor) =>
  Effect.gen(function* () {
    if (actor.kind !== "operator") {
      return yield* new NotAllowed({
        actor: actor.id,
        action: "principal.add",
        zh: "只有系统管理员可以管理用户",
        en: "only the operator manages principals",
      })
    }
    const principal = yield* decode(PrincipalInput, input)
    if (principal.role !== "auditor" && principal.unit === undefined) {
      return yield* new InvalidInput({
        problems: [
          {
            path: "unit",
            zh: "协调人员和单位用户必须属于一个单位",
            en: "coordinators and unit principals belong to a unit",
          },
        ],
      })
    }
    const unit = principal.role === "auditor" ? (principal.unit ?? null) : (principal.unit as string)
    if (unit !== null) {
      // A principal's unit is an organisation key: any campaign naming the office will do.
      const exists = yield* query("units.find", (db) => unitKeyExists(db, unit))
      if (!exists) {
        return yield* new InvalidInput({
          problems: [
            {
              path: "unit",
              zh: `单位“${unit}”不存在(请先部署包含该单位的活动)`,
              en: `unit "${unit}" does not exist (deploy a campaign that names it first)`,
            },
          ],
        })
      }
    }
    yield* query("principals.upsert", (db) =>
      upsertPrincipal(db, { id: principal.id, name: principal.name, role: principal.role, unit }),
    )
    return { id: principal.id, name: principal.name, role: principal.role, unit }
  })

/**
 * Adds (or updates) many principals at once — a whole directory's import — checking
 * each as `addPrincipal` does, with one lookup of their units and one write a thousand.
 */
export const addPrincipals = (inputs: ReadonlyArray<unknown>, actor: Actor) =>
  Effect.gen(function* () {
    if (actor.kind !== "operator") {
      return yield* new NotAllowed({
        actor: actor.id,
        action: "principal.add",
        zh: "只有系统管理员可以管理用户",
        en: "only the operator manages principals",
      })
    }
    const principals = []
    for (const input of inputs) {
      const principal = yield* decode(PrincipalInput, input)
      if (principal.role !== "auditor" && principal.unit === undefined) {
        return yield* new InvalidInput({
          problems: [
            {
              path: "unit",
              zh: "协调人员和单位用户必须属于一个单位",
              en: "coordinators and unit principals belong to a unit",
            },
          ],
        })
      }
      principals.push({ id: principal.id, name: principal.name, role: principal.role, unit: principal.unit ?? null })
    }
    const keys = [...new Set(principals.flatMap((p) => (p.unit === null ? [] : [p.unit])))]
    const named = yield* query("units.findMany", (db) => selectNamedUnitKeys(db, keys))
    const missing = keys.find((key) => !named.has(key))
    if (missing !== undefined) {
      return yield* new InvalidInput({
        problems: [
          {
            path: "unit",
            zh: `单位“${missing}”不存在(请先部署包含该单位的活动)`,
            en: `unit "${missing}" does not exist (deploy a campaign that names it first)`,
          },
        ],
      })
    }
    for (let i = 0; i < principals.length; i += 1000) {
      const batch = principals.slice(i, i + 1000)
      yield* query("principals.upsertMany", (db) => upsertPrincipals(db, batch))
    }
    return { added: principals.length }
  })

/** Lists principals (operator and auditors only). */
export const listPrincipals = (actor: Actor) =>
  Effect.gen(function* () {
    if (actor.kind !== "operator" && !(actor.kind === "principal" && actor.role === "auditor")) {
      return yield* new NotAllowed({
        actor: actor.id,
        action: "principal.list",
        zh: "无权查看用户列表",
        en: "may not list principals",
      })
    }
    return yield* query("principals.list", selectPrincipals)
  })
