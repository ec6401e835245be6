import { describeEachDatabase } from "@liandong/store/testing"
import { afterEach, beforeEach, expect, it } from "vitest"
import { processNext, startCampaign } from "../src/index.ts"
import { processBatch } from "../src/worker/Worker.ts"
import { counted, deployFixture, testEngine } from "./support.ts"

describeEachDatabase("a machine's message backlog", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(() => {
    engine = testEngine(ctx.store())
  })
  afterEach(() => engine.dispose())

  const queueReminders = async (count: number, from: Date) => {
    const { db } = ctx.store()
    const machine = await db
      .selectFrom("machines")
      .select("id")
      .where("unit_key", "=", "county-b")
      .executeTakeFirstOrThrow()
    for (let i = 0; i < count; i++) {
      const at = new Date(from.getTime() + i * 60_000)
      await db
        .insertInto("messages")
        .values({
          campaign_id: "spring-week",
          machine_id: machine.id,
          kind: "event",
          dedupe_key: `backlog-${i}`,
          event: JSON.stringify({ type: "task.remind", task: "plan", at: at.toISOString() }),
          status: "pending",
          available_at: at,
        })
        .execute()
    }
  }

  const pending = () =>
    ctx
      .store()
      .db.selectFrom("messages")
      .select(["dedupe_key", "status"])
      .where("dedupe_key", "like", "backlog-%")
      .execute()

  it("is applied behind the first message in one transaction, in the order sent", async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
    await queueReminders(5, new Date("2026-04-13T02:00:00Z"))
    const now = new Date("2026-04-13T03:00:00Z")
    const first = await engine.run(processNext(now, { batch: 100 }))
    expect(first?.outcome).toMatch(/applied|moot/u)
    expect((first?.backlog.applied ?? 0) + (first?.backlog.moot ?? 0)).toBe(4)
    expect((await pending()).every((m) => m.status !== "pending")).toBe(true)
    const journal = await ctx
      .store()
      .db.selectFrom("journal")
      .select(["seq", "cause"])
      .where("campaign_id", "=", "spring-week")
      .where("cause", "like", "message:%")
      .orderBy("seq")
      .execute()
    const ids = journal.map((row) => Number(row.cause.slice("message:".length)))
    expect(ids.slice(-5)).toEqual([...ids.slice(-5)].sort((a, b) => a - b))
  })

  it("batched, is marked in one statement after the last, each message applied once", async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
    await queueReminders(5, new Date("2026-04-13T02:00:00Z"))
    const pass = await counted(() => engine.run(processBatch(new Date("2026-04-13T03:00:00Z"), { batch: 100 })))
    const tally = pass.value
    if (typeof tally !== "object") throw new Error(`the batch found ${String(tally)}`)
    expect(tally.applied + tally.moot).toBe(5)
    expect((await pending()).every((m) => m.status !== "pending")).toBe(true)
    // The claimed message marked with its claim; the four behind it together, once drained.
    const marks = pass.statements.filter((statement) => statement.includes('update "messages"'))
    expect(marks).toHaveLength(2)
    const journal = await ctx
      .store()
      .db.selectFrom("journal")
      .select("cause")
      .where("campaign_id", "=", "spring-week")
      .where("cause", "like", "message:%")
      .execute()
    const causes = journal.map((row) => row.cause)
    expect(new Set(causes).size).toBe(causes.length)
  })

  it("stops before a pending timer's time, so no message overtakes what the timer causes", async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
    // The plan's reminder (P1D before its deadline on 17 April) is the earliest pending timer.
    const earliest = await ctx
      .store()
      .db.selectFrom("timers")
      .select((eb) => eb.fn.min("due_at").as("due_at"))
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow()
    const timer = new Date(earliest.due_at as Date)
    await queueReminders(3, new Date(timer.getTime() - 60_000))
    const next = await engine.run(processNext(new Date(timer.getTime() + 3_600_000), { batch: 100 }))
    // The first message (a minute before the timer) goes; those sent at or after it wait their turn.
    expect(next?.backlog).toEqual({ applied: 0, moot: 0 })
    expect((await pending()).filter((m) => m.status === "pending")).toHaveLength(2)
  })
})
