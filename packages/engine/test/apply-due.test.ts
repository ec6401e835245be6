/**
 * `applyDue`, the one function that applies due items to machines: a worker's claimed
 * items one at a time (isolated, failures recorded) or together (batched, a failure fails
 * them all), and a command's event after what fell due on its machine.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { afterEach, beforeEach, expect, it } from "vitest"
import { applyDue, type Outcome } from "../src/ApplyDue.ts"
import { loadCampaign } from "../src/Definitions.ts"
import { operator, startCampaign, verifyCampaign } from "../src/index.ts"
import { journaled } from "../src/Journal.ts"
import { workerLook } from "../src/sql/Notices.ts"
import { claimBatch, claimDueItems } from "../src/sql/Queue.ts"
import { deployFixture, testEngine } from "./support.ts"

describeEachDatabase("applying due items", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(() => {
    engine = testEngine(ctx.store())
  })
  afterEach(() => engine.dispose())

  const sent = new Date("2026-04-13T02:00:00Z")
  const now = new Date("2026-04-13T03:00:00Z")

  /** The campaign started and its first phase open: every unit's plan task assigned. */
  const opened = async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
  }

  const machineOf = (unit: string) =>
    ctx.store().db.selectFrom("machines").selectAll().where("unit_key", "=", unit).executeTakeFirstOrThrow()

  let queued = 0
  /** Queues a reminder for the unit's plan task; without `at` it can never be applied. */
  const remind = async (unit: string, options: { poison?: boolean } = {}) => {
    const machine = await machineOf(unit)
    const event = options.poison
      ? { type: "task.remind", task: "plan" }
      : { type: "task.remind", task: "plan", at: sent }
    return ctx
      .store()
      .db.insertInto("messages")
      .values({
        campaign_id: "spring-week",
        machine_id: machine.id,
        kind: "event",
        dedupe_key: `test-${unit}-${++queued}`,
        event: JSON.stringify(event),
        status: "pending",
        available_at: sent,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  }

  const message = (id: string) =>
    ctx.store().db.selectFrom("messages").selectAll().where("id", "=", id).executeTakeFirstOrThrow()

  const journalSince = (seq: number) =>
    ctx
      .store()
      .db.selectFrom("journal")
      .select(["seq", "cause", "unit_key", "event", "recorded_at"])
      .where("campaign_id", "=", "spring-week")
      .where("seq", ">", seq)
      .orderBy("seq")
      .execute()

  const head = async () =>
    (await ctx.store().db.selectFrom("campaigns").select("journal_seq").executeTakeFirstOrThrow()).journal_seq

  /** Claims the pending messages in one transaction and applies them in `mode`. */
  const claimAndApply = (mode: "isolated" | "batched") =>
    engine.exit(
      journaled("test.apply", (tx) =>
        Effect.gen(function* () {
          const items = yield* Effect.promise(() => claimDueItems(tx.db, now, 32))
          return yield* applyDue(tx, items, { now, mode })
        }),
      ),
    )

  const outcomes = (exit: Awaited<ReturnType<typeof claimAndApply>>): ReadonlyArray<Outcome<never>> => {
    if (exit._tag !== "Success") throw new Error("the batch failed")
    return exit.value.outcomes
  }

  it("isolated: records a failing item on itself and applies the others in the same transaction", async () => {
    await opened()
    const poison = await remind("county-a", { poison: true })
    const good = await remind("county-b")
    const before = await head()
    const applied = outcomes(await claimAndApply("isolated"))
    expect(applied).toEqual(["failed", "applied"])
    expect(await message(poison.id)).toMatchObject({ status: "pending", attempts: 1 })
    expect((await message(poison.id)).last_error).toMatch(/no valid time/u)
    expect(await message(good.id)).toMatchObject({ status: "done", attempts: 0 })
    expect((await journalSince(before)).map((row) => row.cause)).toEqual([`message:${good.id}`])
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("batched: applies many machines' items with one journal append, and one failure fails them all", async () => {
    await opened()
    const goods = [await remind("county-a"), await remind("county-b"), await remind("town-a1")]
    const before = await head()
    expect(outcomes(await claimAndApply("batched"))).toEqual(["applied", "applied", "applied"])
    const rows = await journalSince(before)
    expect(rows.map((row) => row.cause)).toEqual(goods.map((g) => `message:${g.id}`))
    // One transaction: one recording time for every row.
    expect(new Set(rows.map((row) => new Date(row.recorded_at).getTime())).size).toBe(1)

    const poison = await remind("county-a", { poison: true })
    const next = await remind("county-b")
    const failedAt = await head()
    expect((await claimAndApply("batched"))._tag).toBe("Failure")
    // Nothing of the batch stays, the failure is not counted: the caller goes one at a time.
    expect(await message(poison.id)).toMatchObject({ status: "pending", attempts: 0 })
    expect(await message(next.id)).toMatchObject({ status: "pending", attempts: 0 })
    expect(await journalSince(failedAt)).toEqual([])
  })

  // PGlite has one connection: nobody else can hold a row there.
  it.skipIf(ctx.kind === "pglite")(
    "batched: skips an item whose machine a command holds, and applies the rest",
    async () => {
      await opened()
      const held = await remind("county-a")
      const free = await remind("county-b")
      const rival = await ctx.store().db.startTransaction().execute()
      try {
        await rival.selectFrom("machines").select("id").where("unit_key", "=", "county-a").forNoKeyUpdate().execute()
        expect(outcomes(await claimAndApply("batched"))).toEqual(["busy", "applied"])
      } finally {
        await rival.rollback().execute()
      }
      expect(await message(held.id)).toMatchObject({ status: "pending", attempts: 0 })
      expect(await message(free.id)).toMatchObject({ status: "done" })
    },
  )

  // PGlite has one connection: no other worker can hold a batch there.
  it.skipIf(ctx.kind === "pglite")(
    "a worker's look passes by the items of a machine another worker's batch holds",
    async () => {
      await opened()
      await remind("county-a")
      expect((await workerLook(ctx.store().db, now)).message_due).toBe(true)
      const rival = await ctx.store().db.startTransaction().execute()
      try {
        const batch = await claimBatch(rival, now, 32, 99)
        expect(batch.items).toHaveLength(1)
        // Taken: the look says nothing is due, and the worker opens no transaction to find it so.
        expect(await workerLook(ctx.store().db, now)).toMatchObject({ message_due: false, timer_due: false })
      } finally {
        await rival.rollback().execute()
      }
      expect((await workerLook(ctx.store().db, now)).message_due).toBe(true)
    },
  )

  it("command: applies what fell due on its machine by its time first, then its event", async () => {
    await opened()
    const machine = await machineOf("county-a")
    const timers = await ctx
      .store()
      .db.selectFrom("timers")
      .select(["id", "due_at"])
      .where("machine_id", "=", machine.id)
      .where("status", "=", "pending")
      .orderBy("due_at")
      .execute()
    // The plan's reminder and deadline, both past by the command's time; no worker ran.
    expect(timers).toHaveLength(2)
    const last = timers[1]?.due_at as Date
    const at = new Date(last.getTime() + 3_600_000).toISOString()
    const before = await head()
    const loaded = await engine.run(loadCampaign("spring-week"))
    const clerk = await engine.actor("clerk-a")
    const result = await engine.run(
      journaled("test.command", (tx) =>
        applyDue(
          tx,
          [
            {
              kind: "command",
              loaded,
              unit: "county-a",
              at,
              prepare: (caught, when) =>
                Effect.succeed({
                  event: { type: "task.acknowledge", task: "plan", by: clerk.id, at: when },
                  cause: { actor: clerk, cause: "command" },
                  answer: caught.version,
                }),
            },
          ],
          { now: new Date(at), mode: "isolated" },
        ),
      ),
    )
    const [outcome] = result.outcomes
    if (typeof outcome !== "object") throw new Error(`the command came out ${String(outcome)}`)
    // The machine the command's own work saw had both timers applied already.
    expect(outcome.answer).toBe(machine.version + 2)
    expect(outcome.step.to).toMatch(/acknowledged/u)
    const rows = await journalSince(before)
    expect(rows.map((row) => row.cause)).toEqual([...timers.map((t) => `timer:${t.id}`), "command"])
    expect(rows.map((row) => row.event)).toEqual(["task.remind", "task.deadline", "task.acknowledge"])
    const marked = await ctx
      .store()
      .db.selectFrom("timers")
      .select("status")
      .where("machine_id", "=", machine.id)
      .execute()
    expect(marked.every((t) => t.status === "done")).toBe(true)
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })
})
