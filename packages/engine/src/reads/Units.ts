/**
 * The units a principal may see, campaign by campaign. Units belong to their campaign,
 * so an office named by two campaigns is listed once for each, with the name and parent
 * that campaign gives it. An auditor sees every campaign's units; a coordinator those of
 * the campaigns it runs; a unit itself and its subordinates in the campaigns it takes
 * part in. Campaigns the caller may not see are simply absent.
 */
import { Effect } from "effect"
import { type Expression, type SqlBool, sql } from "kysely"
import type { Actor } from "../Actor.ts"
import { query } from "../Db.ts"
import { decodeCursor, limitOf, type PageRequest, pageOf } from "./Page.ts"
import { readableByCampaign } from "./Tasks.ts"

/** Per campaign the actor may see (or only `campaign`), the units it may see there: all, or a set. */
export const visibleUnitKeys = (actor: Actor, campaign?: string) =>
  Effect.map(
    readableByCampaign(actor, campaign),
    (scopes) => new Map([...scopes].map(([id, { readable }]) => [id, readable] as const)),
  )

/** Which units to list: one campaign's, and only the children of `parent`. */
export interface UnitFilter {
  readonly campaign?: string | undefined
  readonly parent?: string | undefined
}

/** A page of the units the actor may see, by campaign and key. */
export const pageUnits = (actor: Actor, filter: UnitFilter, page: PageRequest) =>
  Effect.gen(function* () {
    const limit = limitOf(page)
    const after = yield* decodeCursor(page.cursor, 2)
    const scopes = yield* visibleUnitKeys(actor, filter.campaign)
    if (scopes.size === 0) return { items: [], nextCursor: null }
    const rows = yield* query("units.page", (db) => {
      let q = db
        .selectFrom("units")
        .select(["campaign_id", "key", "name", "name_en", "parent_key", "level"])
        .where((eb) =>
          eb.or(
            [...scopes].map(([id, readable]): Expression<SqlBool> => {
              const inCampaign = eb("campaign_id", "=", id)
              return readable === "all" ? inCampaign : eb.and([inCampaign, eb("key", "in", [...readable])])
            }),
          ),
        )
      if (filter.parent !== undefined) q = q.where("parent_key", "=", filter.parent)
      if (after !== undefined) {
        const [campaign, key] = after.map(String) as [string, string]
        q = q.where(sql<SqlBool>`(campaign_id, key) > (${campaign}, ${key})`)
      }
      return q
        .orderBy("campaign_id")
        .orderBy("key")
        .limit(limit + 1)
        .execute()
    })
    return pageOf(
      rows,
      limit,
      (row) => [row.campaign_id, row.key],
      (row) => ({
        campaign: row.campaign_id,
        key: row.key,
        name: row.name,
        nameEn: row.name_en,
        parent: row.parent_key,
        level: row.level as "national" | "province" | "city" | "county" | null,
      }),
    )
  })
