/** The unit read model's statement: keyset pages of the units a reader may see, campaign by campaign. */
import type { UnitRow } from "@liandong/store"
import { type Expression, type SqlBool, sql } from "kysely"
import type { Sql } from "../Db.ts"
import type { ReadScope } from "./ReadTasks.ts"

/** Up to `limit` units in scope after the key (campaign, unit), optionally only the children of `parent`. */
export const selectUnitPage = (
  db: Sql,
  scope: ReadScope,
  parent: string | undefined,
  after: readonly [string, string] | undefined,
  limit: number,
): Promise<Array<Pick<UnitRow, "campaign_id" | "key" | "name" | "name_en" | "parent_key" | "level">>> => {
  let q = db
    .selectFrom("units")
    .select(["campaign_id", "key", "name", "name_en", "parent_key", "level"])
    .where((eb) =>
      eb.or(
        [...scope].map(([id, readable]): Expression<SqlBool> => {
          const inCampaign = eb("campaign_id", "=", id)
          return readable === "all"
            ? inCampaign
            : eb.and([inCampaign, eb("key", "in", readable.size > 0 ? [...readable] : [""])])
        }),
      ),
    )
  if (parent !== undefined) q = q.where("parent_key", "=", parent)
  if (after !== undefined) q = q.where(sql<SqlBool>`(campaign_id, key) > (${after[0]}, ${after[1]})`)
  return q.orderBy("campaign_id").orderBy("key").limit(limit).execute()
}
