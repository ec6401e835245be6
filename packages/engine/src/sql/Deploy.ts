/**
 * What a deployment writes: the definition's version, the campaign row, its units,
 * its machines and their task rows; and, for a redeploy before start, clearing
 * what the previous version created.
 */
import type { MachinesTable, TasksTable } from "@liandong/store"
import type { Campaign } from "@liandong/workflow"
import type { Insertable } from "kysely"
import type { Sql } from "../Db.ts"

/** True when a campaign with the key exists. */
export const campaignExists = (db: Sql, key: string) =>
  db
    .selectFrom("campaigns")
    .select("id")
    .where("id", "=", key)
    .executeTakeFirst()
    .then((row) => row !== undefined)

/**
 * Locks an existing campaign's row for a deploy and returns its status and its definition's
 * hash and version. The campaign's row only: definitions are append-only and the app role
 * may not lock them.
 */
export const lockCampaignForDeploy = (db: Sql, key: string) =>
  db
    .selectFrom("campaigns")
    .innerJoin("definitions", "definitions.id", "campaigns.definition_id")
    .select(["campaigns.status", "definitions.hash", "definitions.version"])
    .where("campaigns.id", "=", key)
    .forUpdate(["campaigns"])
    .executeTakeFirst()

/** Records a definition's version with its content hash; its id. */
export const insertDefinition = (db: Sql, key: string, version: number, hash: string, body: unknown) =>
  db
    .insertInto("definitions")
    .values({ key, version, hash, body: JSON.stringify(body) })
    .returning("id")
    .executeTakeFirstOrThrow()
    .then((row) => row.id)

/** Creates a campaign row pinning a definition. */
export const insertCampaign = (db: Sql, key: string, definitionId: string) =>
  db
    .insertInto("campaigns")
    .values({ id: key, definition_id: definitionId, status: "deployed", journal_head: null })
    .execute()

/** Deletes what a campaign's previous version created: its task rows, timers, messages and machines, in that order. */
export const clearCampaignRows = async (db: Sql, key: string) => {
  await db.deleteFrom("tasks").where("campaign_id", "=", key).execute()
  await db.deleteFrom("timers").where("campaign_id", "=", key).execute()
  await db.deleteFrom("messages").where("campaign_id", "=", key).execute()
  await db.deleteFrom("machines").where("campaign_id", "=", key).execute()
}

/** Pins a campaign to another definition. */
export const repinCampaign = (db: Sql, key: string, definitionId: string) =>
  db.updateTable("campaigns").set({ definition_id: definitionId }).where("id", "=", key).execute()

/** A campaign row. */
export const campaignRow = (db: Sql, key: string) =>
  db.selectFrom("campaigns").selectAll().where("id", "=", key).executeTakeFirstOrThrow()

/** Creates machine rows; their ids, in the order given. */
export const insertMachines = (db: Sql, rows: ReadonlyArray<Insertable<MachinesTable>>) =>
  db
    .insertInto("machines")
    .values([...rows])
    .returning("id")
    .execute()
    .then((created) => created.map((row) => row.id))

/** Creates task rows. */
export const insertTasks = (db: Sql, rows: ReadonlyArray<Insertable<TasksTable>>) =>
  db
    .insertInto("tasks")
    .values([...rows])
    .execute()

/** Deletes a campaign's unit rows. */
export const clearUnits = (db: Sql, campaignId: string) =>
  db.deleteFrom("units").where("campaign_id", "=", campaignId).execute()

/** Inserts a campaign's units (parents before their children). */
export const insertUnits = (db: Sql, campaignId: string, units: Campaign["units"]) =>
  db
    .insertInto("units")
    .values(
      units.map((unit) => ({
        campaign_id: campaignId,
        key: unit.key,
        name: unit.name,
        name_en: unit.nameEn,
        parent_key: unit.parent,
        level: unit.level,
      })),
    )
    .execute()
