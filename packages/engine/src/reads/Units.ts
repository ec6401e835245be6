/**
 * The units a principal may see, from the directory: an auditor sees all; a
 * coordinator the units of the campaigns it runs; a unit itself and its
 * subordinates in the campaigns it takes part in.
 */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { query } from "../Db.ts"
import { decodeCursor, limitOf, type PageRequest, pageOf } from "./Page.ts"
import { readableByCampaign } from "./Tasks.ts"

/** The keys of the units the actor may see, or "all". */
export const visibleUnitKeys = (actor: Actor) =>
  Effect.gen(function* () {
    if (actor.kind !== "principal" || actor.role === "auditor") return "all" as const
    const keys = new Set<string>(actor.unit === null ? [] : [actor.unit])
    for (const { definition, readable } of (yield* readableByCampaign(actor)).values()) {
      for (const unit of definition.units) if (readable === "all" || readable.has(unit.key)) keys.add(unit.key)
    }
    return keys as ReadonlySet<string>
  })

/** A page of the units the actor may see, by key, optionally only the children of `parent`. */
export const pageUnits = (actor: Actor, filter: { parent?: string | undefined }, page: PageRequest) =>
  Effect.gen(function* () {
    const limit = limitOf(page)
    const after = yield* decodeCursor(page.cursor, 1)
    const visible = yield* visibleUnitKeys(actor)
    if (visible !== "all" && visible.size === 0) return { items: [], nextCursor: null }
    const rows = yield* query("units.page", (db) => {
      let q = db.selectFrom("units").select(["key", "name", "name_en", "parent_key", "level"]).orderBy("key")
      if (visible !== "all") q = q.where("key", "in", [...visible])
      if (filter.parent !== undefined) q = q.where("parent_key", "=", filter.parent)
      if (after !== undefined) q = q.where("key", ">", String(after[0]))
      return q.limit(limit + 1).execute()
    })
    return pageOf(
      rows,
      limit,
      (row) => [row.key],
      (row) => ({
        key: row.key,
        name: row.name,
        nameEn: row.name_en,
        parent: row.parent_key,
        level: row.level as "national" | "province" | "city" | "county" | null,
      }),
    )
  })
