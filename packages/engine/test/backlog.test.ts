import { describeEachDatabase } from "@liandong/store/testing"
import { afterEach, beforeEach, expect, it } from "vitest"
import { operator, processNext, startCampaign, verifyCampaign } from "../src/index.ts"
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

  it("batched, is marked with the steps, each message applied once", async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
    await queueReminders(5, new Date("2026-04-13T02:00:00Z"))
    const pass = await counted(() => engine.run(processBatch(new Date("2026-04-13T03:00:00Z"), { batch: 100 })))
    const tally = pass.value
    if (typeof tally !== "object") throw new Error(`the batch found ${String(tally)}`)
    expect(tally.applied + tally.moot).toBe(5)
    expect((await pending()).every((m) => m.status !== "pending")).toBe(true)
    // The claim locks the machine and the four behind the claimed message in its statement; no
    // statement marks them: each is marked with the steps (one a step of the machine).
    const [claim, ...rest] = pass.statements
    expect(claim).toContain("with horizon as")
    expect(rest.length).toBeGreaterThan(0)
    expect(rest.every((statement) => statement.includes("with next as ( select s.*"))).toBe(true)
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

  it("batched, a campaign machine's backlog is taken in one look, its steps written as one", async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
    const { db } = ctx.store()
    const machine = () =>
      db
        .selectFrom("machines")
        .select(["id", "version"])
        .where("campaign_id", "=", "spring-week")
        .where("kind", "=", "campaign")
        .executeTakeFirstOrThrow()
    const before = await machine()
    // A phase's fan-in: units say they are done with a phase that is not open yet (no gate moves).
    const units = ["county-a", "county-b", "town-a1", "city"]
    for (const [i, unit] of units.entries()) {
      const at = new Date(Date.parse("2026-04-13T02:00:00Z") + i * 60_000).toISOString()
      await db
        .insertInto("messages")
        .values({
          campaign_id: "spring-week",
          machine_id: before.id,
          kind: "event",
          dedupe_key: `backlog-${i}`,
          event: JSON.stringify({ type: "unit.phase-done", phase: "publicity", unit, at }),
          status: "pending",
          available_at: at,
        })
        .execute()
    }
    const pass = await counted(() => engine.run(processBatch(new Date("2026-04-13T03:00:00Z"), { batch: 100 })))
    const tally = pass.value
    if (typeof tally !== "object") throw new Error(`the batch found ${String(tally)}`)
    expect(tally).toMatchObject({ applied: 4, moot: 0 })
    // Two statements: the claim, which locks the machine and the three behind the claimed message
    // too; then the four steps as one, with the journal's append and the commit. The machine's
    // version moved by four.
    expect(pass.statements).toHaveLength(2)
    expect(pass.statements[0]).toContain("with horizon as ( select least")
    expect(pass.statements[1]).toContain("/* then commit */ with next as ( select s.*")
    expect((await machine()).version).toBe(before.version + 4)
    const journal = await db
      .selectFrom("journal")
      .select("payload")
      .where("campaign_id", "=", "spring-week")
      .where("event", "=", "unit.phase-done")
      .orderBy("seq")
      .execute()
    // Each step journaled, in the order sent.
    expect(journal.map((row) => (row.payload as { unit: string }).unit)).toEqual(units)
    // Replaying the journal gives the snapshot written for the four.
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
    expect((await pending()).every((m) => m.status === "done")).toBe(true)
  })

  it("batched, drains in order what a step of the batch sent to a machine being drained", async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
    const { db } = ctx.store()
    const machineOf = (unit: string | null) =>
      (unit === null
        ? db.selectFrom("machines").select("id").where("kind", "=", "campaign")
        : db.selectFrom("machines").select("id").where("unit_key", "=", unit)
      )
        .where("campaign_id", "=", "spring-week")
        .executeTakeFirstOrThrow()
        .then((row) => row.id)
    const send = async (unit: string | null, key: string, event: Record<string, unknown>, minute: number) => {
      const at = new Date(Date.parse("2026-04-13T02:00:00Z") + minute * 60_000).toISOString()
      await db
        .insertInto("messages")
        .values({
          campaign_id: "spring-week",
          machine_id: await machineOf(unit),
          kind: "event",
          dedupe_key: `drain-${key}`,
          event: JSON.stringify({ ...event, at }),
          status: "pending",
          available_at: at,
        })
        .execute()
    }
    // Two of the preparation's three units are done: the campaign machine hears it first.
    await send(null, "done-a", { type: "unit.phase-done", phase: "preparation", unit: "county-a" }, 0)
    await send(null, "done-b", { type: "unit.phase-done", phase: "preparation", unit: "county-b" }, 1)
    await engine.run(processBatch(new Date("2026-04-13T03:00:00Z"), { batch: 100 }))
    // Then county-a has two reminders queued, and the third unit's done comes after the first.
    await send("county-a", "remind-1", { type: "task.remind", task: "plan" }, 10)
    await send("county-a", "remind-2", { type: "task.remind", task: "plan" }, 11)
    await send(null, "done-a1", { type: "unit.phase-done", phase: "preparation", unit: "town-a1" }, 12)
    // One batch claims county-a's first reminder and the campaign's message: the last done closes the
    // phase, and the campaign machine tells county-a, whose backlog the batch drains.
    const pass = await counted(() => engine.run(processBatch(new Date("2026-04-13T03:00:00Z"), { batch: 100 })))
    const tally = pass.value
    if (typeof tally !== "object") throw new Error(`the batch found ${String(tally)}`)
    // What the batch sent to a machine it drains is looked for after its steps, not taken with the claim.
    expect(pass.statements.filter((s) => s.startsWith("with horizon as ( select least($1::timestamptz"))).toHaveLength(
      1,
    )
    const county = await machineOf("county-a")
    const left = await db
      .selectFrom("messages")
      .select(["dedupe_key", "status"])
      .where("machine_id", "=", county)
      .where("status", "=", "pending")
      .execute()
    expect(left).toEqual([])
    // county-a's record: its two reminders, then the phase's close, in the order sent.
    const journal = await db
      .selectFrom("journal")
      .select("event")
      .where("campaign_id", "=", "spring-week")
      .where("unit_key", "=", "county-a")
      .where("cause", "like", "message:%")
      .orderBy("seq")
      .execute()
    expect(journal.map((row) => row.event).slice(-3)).toEqual(["task.remind", "task.remind", "phase.close"])
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  /** Three reminders queued from a minute before the earliest pending timer; that timer's time. */
  const remindersAroundTimer = async () => {
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
    return timer
  }

  it("batched, stops before a pending timer's time as well", async () => {
    const timer = await remindersAroundTimer()
    const tally = await engine.run(processBatch(new Date(timer.getTime() + 3_600_000), { batch: 100 }))
    if (typeof tally !== "object") throw new Error(`the batch found ${String(tally)}`)
    // The first message goes with its claim; those sent at or after the timer wait their turn.
    expect(tally.applied + tally.moot).toBe(1)
    expect((await pending()).filter((m) => m.status === "pending")).toHaveLength(2)
  })

  it("stops before a pending timer's time, so no message overtakes what the timer causes", async () => {
    const timer = await remindersAroundTimer()
    const next = await engine.run(processNext(new Date(timer.getTime() + 3_600_000), { batch: 100 }))
    // The first message (a minute before the timer) goes; those sent at or after it wait their turn.
    expect(next?.backlog).toEqual({ applied: 0, moot: 0 })
    expect((await pending()).filter((m) => m.status === "pending")).toHaveLength(2)
  })
})
