/** The machine read model's statement: a campaign's machine, or one unit's, as stored. */

import type { MachineRow } from "@liandong/store"
import { type SqlBool, sql } from "kysely"
import type { Sql } from "../Db.ts"

/** The campaign's machine (unit null) or a unit's, or undefined. */
export const selectMachine = (db: Sql, campaign: string, unit: string | null): Promise<MachineRow | undefined> => {
  // The kind as a literal: each kind's partial index serves only a statement that names it.
  const base = db.selectFrom("machines").selectAll().where("campaign_id", "=", campaign)
  return (
    unit === null
      ? base.where(sql<SqlBool>`kind = 'campaign'`)
      : base.where(sql<SqlBool>`kind = 'unit'`).where("unit_key", "=", unit)
  ).executeTakeFirst()
}
