/** The machine read model's statement: a campaign's machine, or one unit's, as stored. */
import type { MachineRow } from "@liandong/store"
import type { Sql } from "../Db.ts"

/** The campaign's machine (unit null) or a unit's, or undefined. */
export const selectMachine = (db: Sql, campaign: string, unit: string | null): Promise<MachineRow | undefined> => {
  const base = db.selectFrom("machines").selectAll().where("campaign_id", "=", campaign)
  return (unit === null ? base.where("kind", "=", "campaign") : base.where("unit_key", "=", unit)).executeTakeFirst()
}
