/** Minimal valid rows for the store tests: a campaign with its machine, journal rows, units. */
import type { Insertable, Kysely } from "kysely"
import type { Database, JournalTable, UnitsTable } from "../src/index.ts"

/** A unit of campaign `campaignId` with no parent. */
export const unitRow = (key: string, campaignId = "c"): Insertable<UnitsTable> => ({
  campaign_id: campaignId,
  key,
  name: key,
  name_en: null,
  parent_key: null,
  level: null,
})

/** Journal row number `seq` of campaign `campaignId`. */
export const journalRow = (machineId: string, seq = 1, campaignId = "c"): Insertable<JournalTable> => ({
  campaign_id: campaignId,
  seq,
  machine_id: machineId,
  unit_key: null,
  actor: "a",
  role: "coordinator",
  actor_unit: null,
  cause: "command",
  idempotency_key: null,
  event: "x",
  payload: "{}",
  state_before: "null",
  state_after: "null",
  occurred_at: new Date("2026-03-01T08:00:00Z"),
  prev_hash: null,
  hash: `h${seq}`,
})

/** Deploys campaign `id` (a definition and the campaign's machine); returns their ids. */
export const seedCampaign = async (db: Kysely<Database>, id = "c") => {
  const definition = await db
    .insertInto("definitions")
    .values({ key: id, version: 1, hash: `hash-${id}`, body: JSON.stringify({ key: id }) })
    .returning("id")
    .executeTakeFirstOrThrow()
  await db
    .insertInto("campaigns")
    .values({ id, definition_id: definition.id, status: "deployed", journal_head: null })
    .execute()
  const machine = await db
    .insertInto("machines")
    .values({
      campaign_id: id,
      kind: "campaign",
      unit_key: null,
      snapshot: "{}",
      version: 1,
      machine_hash: "h",
      phase: null,
      status: "deployed",
      overdue: false,
      updated_at: new Date(),
    })
    .returning("id")
    .executeTakeFirstOrThrow()
  return { definitionId: definition.id, machineId: machine.id }
}

/** Waits until `done()` holds, polling every 20 ms, for at most `ms`. */
export const eventually = async (done: () => boolean, ms = 3000): Promise<void> => {
  const until = Date.now() + ms
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
}

/** Resolves after `ms`. */
export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
