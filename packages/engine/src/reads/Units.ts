/**
 * The units a principal may see, campaign by campaign. Units belong to their campaign,
 * so an office named by two campaigns is listed once for each, with the name and parent
 * that campaign gives it. An auditor sees every campaign's units; a coordinator those of
 * the campaigns it runs; a unit itself and its subordinates in the campaigns it takes
 * part in. Campaigns the caller may not see are simply absent.
 */
import { Effect } from "effect"
import type { Actor } from "../Actor.ts"
import { query } from "../Db.ts"
import { selectUnitPage } from "../sql/ReadUnits.ts"
import { decodeCursor, limitOf, type PageRequest, pageOf } from "./Page.ts"
import { readableByCampaign, scopeOf } from "./Scope.ts"

/** Per campaign the actor may see (or only `campaign`), the units it may see there: all, or a set. */
export const visibleUnitKeys = (actor: Actor, campaign?: string) =>
  Effect.map(readableByCampaign(actor, campaign), scopeOf)

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
    const rows = yield* query("units.page", (db) =>
      selectUnitPage(
        db,
        scopes,
        filter.parent,
        after === undefined ? undefined : (after.map(String) as [string, string]),
        limit + 1,
      ),
    )
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
