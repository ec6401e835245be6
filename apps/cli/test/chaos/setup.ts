/** What every chaos test starts from: a database of its own, the key file, the engine over it. */
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { deploy } from "@liandong/engine/commands"
import { operator, provisionSigningKey } from "@liandong/engine/runtime"
import { migrateToLatest, type Store } from "@liandong/store"
import { createTestDatabase } from "@liandong/store/testing"
import { type crowdCampaign, crowdPrincipals } from "../crowd.ts"
import { addPrincipals, type Engine, openEngine } from "./engine.ts"
import { eventually } from "./fleet.ts"

/** A fresh, migrated database on the test server; `env` is what processes need to use it. */
export const chaosDatabase = async (name: string) => {
  const database = await createTestDatabase()
  // The deployment's key, made first, as `liandong keys init` would: workers refuse to start without it.
  const keyFile = provisionSigningKey(join(await mkdtemp(join(tmpdir(), `liandong-${name}-`)), "key.pem")).path
  const engine = await openEngine({ databaseUrl: database.url, keyFile })
  await migrateToLatest(engine.store.db)
  return {
    url: database.url,
    keyFile,
    env: { DATABASE_URL: database.url, LIANDONG_KEY: keyFile } as Record<string, string>,
    engine,
    close: async () => {
      await engine.close()
      await database.drop()
    },
  }
}

/** Deploys a crowd campaign and registers its coordinator and unit principals. */
export const deployCrowd = async (engine: Engine, campaign: ReturnType<typeof crowdCampaign>) => {
  await engine.run(deploy(campaign, operator))
  await addPrincipals(engine, crowdPrincipals(campaign.units.length - 1))
}

/** The campaign's status. */
export const campaignStatus = async (db: Store["db"], campaign: string) =>
  (await db.selectFrom("campaigns").select("status").where("id", "=", campaign).executeTakeFirstOrThrow()).status

/** True once `count` worker processes listen for work on the database at `url` (they are up). */
export const workersListening = (db: Store["db"], url: string, count: number) =>
  eventually(async () => {
    const listening = await db
      .withTables<{ pg_stat_activity: { datname: string; query: string } }>()
      .selectFrom("pg_stat_activity")
      .select("query")
      .where("datname", "=", new URL(url).pathname.slice(1))
      .where("query", "ilike", "listen %")
      .execute()
    return listening.length >= count
  }, 120_000)

/** How much a campaign went through: journal rows, and timers and messages by what became of them. */
export const campaignFigures = async (db: Store["db"], campaign: string) => {
  const count = async (table: "journal" | "timers" | "messages", status?: string) => {
    let query = db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("campaign_id", "=", campaign)
    if (status !== undefined) query = query.where("status" as never, "=", status as never)
    return Number((await query.executeTakeFirstOrThrow()).n)
  }
  return {
    journalRows: await count("journal"),
    timersFired: await count("timers", "done"),
    timersCancelledOrMoot: (await count("timers", "cancelled")) + (await count("timers", "moot")),
    messagesApplied: await count("messages", "done"),
    itemsParkedDead: (await count("timers", "dead")) + (await count("messages", "dead")),
  }
}

/**
 * The campaign's timers and messages in `statuses`, due by `dueBy` when given, earliest first, at
 * most `limit` of each table.
 */
const queueItems = async (
  db: Store["db"],
  campaign: string,
  statuses: ReadonlyArray<"pending" | "dead">,
  limit: number,
  dueBy?: Date,
) => {
  const of = (table: "timers" | "messages") => {
    const due = table === "timers" ? "due_at" : "available_at"
    let query = db
      .selectFrom(table)
      .select(["id", "machine_id", "status", "attempts", "last_error", "event", `${due} as due`])
      .where("campaign_id", "=", campaign)
      .where("status", "in", statuses)
    if (dueBy !== undefined) query = query.where(due, "<=", dueBy)
    return query
      .orderBy(due)
      .limit(limit)
      .execute()
      .then((rows) => rows.map((row) => ({ ...row, kind: table === "timers" ? "timer" : "message" })))
  }
  return [...(await of("timers")), ...(await of("messages"))].sort(
    (a, b) => new Date(a.due).getTime() - new Date(b.due).getTime(),
  )
}

/** True once nothing of the campaign due by `asOf` (default now) waits in the queue: the workers have gone idle. */
export const queueIdle = async (db: Store["db"], campaign: string, asOf: Date = new Date()) =>
  (await queueItems(db, campaign, ["pending"], 1, asOf)).length === 0

/**
 * What of the campaign's queue is not done (pending or parked dead), at most `limit` items, one
 * line each: for the message of a failing wait, so that a timeout says what was still waiting.
 */
export const queueLeft = async (db: Store["db"], campaign: string, limit = 20) => {
  const left = (await queueItems(db, campaign, ["pending", "dead"], limit)).slice(0, limit)
  const lines = left.map(
    (item) =>
      `${item.kind}:${item.id} machine ${item.machine_id ?? "none"} ${item.status} after ${item.attempts} attempts, ` +
      `due ${new Date(item.due).toISOString()}, ${JSON.stringify(item.event)}` +
      (item.last_error === null ? "" : `, last error: ${item.last_error.slice(0, 160)}`),
  )
  return `queue of ${campaign} at ${new Date().toISOString()}, not done: ${lines.length === 0 ? "nothing" : `\n${lines.join("\n")}`}`
}
