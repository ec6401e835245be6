import { createHash } from "node:crypto"
import { type Kysely, sql } from "kysely"
import { expect, it } from "vitest"
import type { Database } from "../src/index.ts"
import { describeEachDatabase } from "../src/Testing.ts"
import { seedCampaign } from "./rows.ts"

/** A row as the engine hands it to `journal_append`: its fields and the canonical text around its place. */
const appendRow = (machineId: string, n: number, campaignId = "c") => ({
  campaign_id: campaignId,
  machine_id: machineId,
  unit_key: n % 2 === 0 ? "u1" : null,
  actor: `actor-${n}`,
  role: "coordinator",
  actor_unit: null,
  cause: "command",
  idempotency_key: n === 2 ? "key-2" : null,
  event: `event.${n}`,
  payload: { n },
  state_before: { at: n - 1 },
  state_after: { at: n },
  occurred_at: `2026-04-0${n}T08:00:00.000Z`,
  content: n === 3 ? { figures: { 宣传场次: "12" } } : null,
  before_at: `{"n":${n},"recorded_at":"`,
  before_seq: `","seq":`,
  after_seq: `}`,
})

const append = (db: Kysely<Database>, rows: unknown[], campaignId = "c") =>
  sql<{ seq: number }>`select journal_append(${campaignId}, ${JSON.stringify(rows)}::jsonb) as seq`.execute(db)

interface Stored {
  id: string
  seq: number
  actor: string
  unit_key: string | null
  idempotency_key: string | null
  event: string
  payload: unknown
  state_after: unknown
  content: unknown
  recorded_at: Date
  prev_hash: string | null
  hash: string
}

const stored = async (db: Kysely<Database>, campaignId = "c") =>
  (
    await sql<Stored>`select id::text, seq, actor, unit_key, idempotency_key, event, payload, state_after, content,
      recorded_at, prev_hash, hash from journal where campaign_id = ${campaignId} order by seq`.execute(db)
  ).rows

/** The chain's hash as the verifier computes it: on the one before, the row's text around its time and place. */
const chained = (prev: string | null, row: ReturnType<typeof appendRow>, recorded: string, seq: number) =>
  createHash("sha256")
    .update(`${prev ?? ""}\n${row.before_at}${recorded}${row.before_seq}${seq}${row.after_seq}`, "utf8")
    .digest("hex")

describeEachDatabase("journal_append", (ctx) => {
  it("writes a call's rows in order, each hashed on the one before, and moves the head to the last", async () => {
    const { db } = ctx.store()
    const { machineId } = await seedCampaign(db)
    const first = [1, 2, 3].map((n) => appendRow(machineId, n))
    expect((await append(db, first)).rows[0]?.seq).toBe(3)
    const second = [4, 5].map((n) => appendRow(machineId, n))
    expect((await append(db, second)).rows[0]?.seq).toBe(5)

    const rows = await stored(db)
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5])
    // Ids follow the sequence numbers, as when the rows were inserted one by one.
    const ids = rows.map((r) => BigInt(r.id))
    expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids)
    expect(rows.map((r) => r.actor)).toEqual(["actor-1", "actor-2", "actor-3", "actor-4", "actor-5"])
    expect(rows.map((r) => r.unit_key)).toEqual([null, "u1", null, "u1", null])
    expect(rows.map((r) => r.idempotency_key)).toEqual([null, "key-2", null, null, null])
    expect(rows.map((r) => r.payload)).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })))
    expect(rows.map((r) => r.content)).toEqual([null, null, { figures: { 宣传场次: "12" } }, null, null])

    // Every hash recomputed independently: the chain starts with no previous hash and links each row to the last.
    const all = [...first, ...second]
    let prev: string | null = null
    for (const [index, row] of rows.entries()) {
      const recorded = row.recorded_at.toISOString()
      const given = all[index]
      if (given === undefined) throw new Error("a row more than was appended")
      expect(row.prev_hash).toBe(prev)
      expect(row.hash).toBe(chained(prev, given, recorded, row.seq))
      prev = row.hash
    }
    const head = await db
      .selectFrom("campaigns")
      .select(["journal_seq", "journal_head"])
      .where("id", "=", "c")
      .executeTakeFirstOrThrow()
    expect(head).toEqual({ journal_seq: 5, journal_head: prev })
  })

  it("keeps each campaign's chain apart, and an empty call leaves the head where it was", async () => {
    const { db } = ctx.store()
    const { machineId } = await seedCampaign(db)
    const other = await seedCampaign(db, "d")
    await append(db, [appendRow(machineId, 1)])
    expect(
      (await append(db, [appendRow(other.machineId, 1, "d"), appendRow(other.machineId, 2, "d")], "d")).rows[0]?.seq,
    ).toBe(2)
    expect((await append(db, [])).rows[0]?.seq).toBe(1)
    expect((await stored(db)).map((r) => r.seq)).toEqual([1])
    const d = await stored(db, "d")
    expect(d.map((r) => r.seq)).toEqual([1, 2])
    expect(d[0]?.prev_hash).toBeNull()
    expect(d[1]?.prev_hash).toBe(d[0]?.hash)
  })

  it("refuses a campaign that does not exist, and writes nothing", async () => {
    const { db } = ctx.store()
    const { machineId } = await seedCampaign(db)
    await expect(append(db, [appendRow(machineId, 1, "nowhere")], "nowhere")).rejects.toThrow(
      /campaign nowhere not found/,
    )
    expect(await db.selectFrom("journal").select("id").execute()).toEqual([])
  })
})
