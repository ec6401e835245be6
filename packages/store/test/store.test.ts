import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import { migrateToLatest, openStore } from "../src/index.ts"
import { describeEachDatabase } from "../src/testing.ts"

/** A minimal journal row of campaign "c". */
const journalRow = (machineId: string) => ({
  campaign_id: "c",
  seq: 1,
  machine_id: machineId,
  unit_key: null,
  actor: "a",
  role: "operator",
  actor_unit: null,
  cause: "command",
  idempotency_key: null,
  event: "x",
  payload: "{}",
  state_before: "null",
  state_after: "null",
  occurred_at: new Date(),
  prev_hash: null,
  hash: "h1",
})

describeEachDatabase("store", (ctx) => {
  const campaign = async () => {
    const { db } = ctx.store()
    const def = await db
      .insertInto("definitions")
      .values({ key: "c", version: 1, hash: "h", body: JSON.stringify({}) })
      .returning("id")
      .executeTakeFirstOrThrow()
    await db
      .insertInto("campaigns")
      .values({ id: "c", definition_id: def.id, status: "deployed", journal_head: null })
      .execute()
    return db
      .insertInto("machines")
      .values({
        campaign_id: "c",
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
  }

  it("migrations are idempotent", async () => {
    expect((await migrateToLatest(ctx.store().db)).applied).toEqual([])
  })

  it("keeps figures exact: numeric sums never go through floating point", async () => {
    const { db } = ctx.store()
    await campaign()
    const reports = []
    for (const [attempt, value] of [
      [1, "0.1"],
      [2, "0.2"],
      [3, "123456789012345678901234567890"],
    ] as const) {
      const r = await db
        .insertInto("reports")
        .values({
          campaign_id: "c",
          unit_key: "u",
          task_key: "t",
          attempt,
          status: "approved",
          narrative: "{}",
          submitted_by: "p",
          submitted_at: new Date(),
        })
        .returning("id")
        .executeTakeFirstOrThrow()
      reports.push(r.id)
      await db.insertInto("report_figures").values({ report_id: r.id, figure_key: "f", value }).execute()
    }
    expect(typeof reports[0]).toBe("string")
    const total = await db
      .selectFrom("report_figures")
      .select((eb) => eb.fn.sum<string>("value").as("total"))
      .executeTakeFirstOrThrow()
    expect(total.total).toBe("123456789012345678901234567890.3")
  })

  it("refuses a second journal row with the same sequence number", async () => {
    const { db } = ctx.store()
    const machine = await campaign()
    const row = journalRow(machine.id)
    await db.insertInto("journal").values(row).execute()
    await expect(
      db
        .insertInto("journal")
        .values({ ...row, hash: "h2" })
        .execute(),
    ).rejects.toThrow(/duplicate|unique/i)
  })

  it("claims rows with SKIP LOCKED: a second transaction skips what the first holds", async () => {
    const store = ctx.store()
    const machine = await campaign()
    await store.db
      .insertInto("timers")
      .values(
        [1, 2].map((i) => ({
          campaign_id: "c",
          machine_id: machine.id,
          key: `t${i}`,
          due_at: new Date("2026-01-01"),
          event: "{}",
          status: "pending" as const,
        })),
      )
      .execute()
    const claim = (tx: typeof store.db) =>
      tx.selectFrom("timers").select("key").orderBy("id").limit(1).forUpdate().skipLocked().executeTakeFirst()
    if (store.kind === "postgres") {
      const first = await store.db.startTransaction().execute()
      const second = await store.db.startTransaction().execute()
      try {
        expect((await claim(first))?.key).toBe("t1")
        expect((await claim(second))?.key).toBe("t2")
      } finally {
        await first.rollback().execute()
        await second.rollback().execute()
      }
    } else {
      // One connection: the syntax runs, transactions take turns.
      expect((await store.db.transaction().execute((tx) => claim(tx)))?.key).toBe("t1")
    }
  })

  it("delivers NOTIFY sent inside a transaction at commit, and not after a rollback", async () => {
    const store = ctx.store()
    const heard: string[] = []
    const stop = await store.listen("liandong_test", (payload) => heard.push(payload))
    try {
      await store.db
        .transaction()
        .execute(async (tx) => {
          await sql`select pg_notify('liandong_test', 'rolled-back')`.execute(tx)
          throw new Error("roll back")
        })
        .catch(() => undefined)
      await store.db.transaction().execute((tx) => sql`select pg_notify('liandong_test', 'committed')`.execute(tx))
      for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
      expect(heard).toEqual(["committed"])
    } finally {
      await stop()
    }
  })

  it("keeps concurrent transactions apart", async () => {
    const { db } = ctx.store()
    const insertUnit = (key: string, fail: boolean) =>
      db.transaction().execute(async (tx) => {
        await tx.insertInto("units").values({ key, name: key, name_en: null, parent_key: null, level: null }).execute()
        await new Promise((r) => setTimeout(r, 20))
        if (fail) throw new Error("abort")
      })
    const outside = db.selectFrom("units").select("key").execute()
    const results = await Promise.allSettled([insertUnit("kept", false), insertUnit("dropped", true), outside])
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"])
    const keys = (await db.selectFrom("units").select("key").execute()).map((r) => r.key)
    expect(keys).toEqual(["kept"])
  })
})

describe("embedded data folder", () => {
  it("reopens with its data", async () => {
    const { mkdtemp } = await import("node:fs/promises")
    const { tmpdir } = await import("node:os")
    const { join } = await import("node:path")
    const dir = await mkdtemp(join(tmpdir(), "liandong-store-"))
    const first = await openStore({ dataDir: dir })
    await migrateToLatest(first.db)
    await first.db
      .insertInto("units")
      .values({ key: "kept", name: "留存", name_en: null, parent_key: null, level: null })
      .execute()
    await first.close()
    const second = await openStore({ dataDir: dir })
    expect(await second.db.selectFrom("units").select("name").execute()).toEqual([{ name: "留存" }])
    await second.close()
  })
})

describeEachDatabase("the append-only journal", (ctx) => {
  it("refuses UPDATE, DELETE and TRUNCATE, even for the table's owner", async () => {
    const { db } = ctx.store()
    const def = await db
      .insertInto("definitions")
      .values({ key: "c", version: 1, hash: "h", body: "{}" })
      .returning("id")
      .executeTakeFirstOrThrow()
    await db
      .insertInto("campaigns")
      .values({ id: "c", definition_id: def.id, status: "deployed", journal_head: null })
      .execute()
    await db.insertInto("journal").values(journalRow("1")).execute()
    await expect(db.updateTable("journal").set({ actor: "b" }).execute()).rejects.toThrow(/append-only/)
    await expect(db.deleteFrom("journal").execute()).rejects.toThrow(/append-only/)
    await expect(sql`truncate journal cascade`.execute(db)).rejects.toThrow(/append-only/)
    expect(await db.selectFrom("journal").select("actor").execute()).toEqual([{ actor: "a" }])
  })
})
