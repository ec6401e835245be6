/**
 * The directory's people: principals with a role and a unit. Managed by the
 * operator; an identity provider can later map its users onto the same rows.
 */
import { Effect, Schema } from "effect"
import type { Actor } from "./Actor.ts"
import { query } from "./Db.ts"
import { InvalidInput, NotAllowed } from "./Errors.ts"
import { decode } from "./Refs.ts"

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
      const exists = yield* query("units.find", (db) =>
        db.selectFrom("units").select("key").where("key", "=", unit).limit(1).executeTakeFirst(),
      )
      if (exists === undefined) {
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
      db
        .insertInto("principals")
        .values({ id: principal.id, name: principal.name, role: principal.role, unit_key: unit })
        .onConflict((oc) =>
          oc
            .column("id")
            .doUpdateSet({ name: principal.name, role: principal.role, unit_key: unit, disabled_at: null }),
        )
        .execute(),
    )
    return { id: principal.id, name: principal.name, role: principal.role, unit }
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
    return yield* query("principals.list", (db) =>
      db.selectFrom("principals").select(["id", "name", "role", "unit_key", "disabled_at"]).orderBy("id").execute(),
    )
  })
