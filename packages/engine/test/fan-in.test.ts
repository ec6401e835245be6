/**
 * A phase's fan-in applied in the transaction of the command that sends it (`FanIn.ts`), where
 * the campaign's machine is free and the message only counts; left to the workers otherwise.
 */
import { describeEachDatabase } from "@liandong/store/testing"
import { Effect } from "effect"
import { sql } from "kysely"
import pg from "pg"
import { afterEach, beforeEach, expect, it } from "vitest"
import { Db, toStoreError } from "../src/Db.ts"
import { queuedCommands } from "../src/GroupCommit.ts"
import { acknowledge, approve, operator, startCampaign, submitReport, verifyCampaign } from "../src/index.ts"
import { lockFanIn } from "../src/sql/FanIn.ts"
import { workerLook } from "../src/sql/Notices.ts"
import { counted, deployFixture, testEngine, until } from "./support.ts"

const clerks = { "county-a": "clerk-a", "county-b": "clerk-b", "town-a1": "clerk-a1" } as const

describeEachDatabase("a phase's fan-in", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(() => {
    engine = testEngine(ctx.store())
  })
  afterEach(() => engine.dispose())

  const started = async () => {
    await deployFixture(engine)
    await engine.run(startCampaign("spring-week", await engine.actor("lead")))
    await engine.advance("2026-04-13T09:00:00+08:00")
  }

  /** The unit acknowledges and reports its plan; the lead approves it (no worker runs). */
  const finishPlan = async (unit: keyof typeof clerks) =>
    engine.run(approve((await reported(unit)).report, await engine.actor("lead")))

  const phaseDone = () =>
    ctx
      .store()
      .db.selectFrom("messages")
      .select(["id", "dedupe_key", "status"])
      .where(sql<boolean>`event->>'type' = 'unit.phase-done'`)
      .orderBy("id")
      .execute()

  const campaignMachine = () =>
    ctx
      .store()
      .db.selectFrom("machines")
      .select([
        "id",
        "version",
        "phase",
        sql<string>`snapshot->'context'->'phases'->'preparation'->>'doneCount'`.as("done"),
      ])
      .where("campaign_id", "=", "spring-week")
      .where("kind", "=", "campaign")
      .executeTakeFirstOrThrow()

  const lastRows = (count: number) =>
    ctx
      .store()
      .db.selectFrom("journal")
      .select(["seq", "actor", "cause", "event", "unit_key"])
      .where("campaign_id", "=", "spring-week")
      .orderBy("seq", "desc")
      .limit(count)
      .execute()
      .then((rows) => rows.reverse())

  /** A unit that has acknowledged and reported its plan, and its report. */
  const reported = async (unit: keyof typeof clerks) => {
    const clerk = await engine.actor(clerks[unit])
    await engine.run(acknowledge(`spring-week/${unit}/plan`, clerk))
    return engine.run(submitReport(`spring-week/${unit}/plan`, { narrative: { narrative: "方案" } }, clerk))
  }

  /**
   * A client of its own that holds the unit's machine in a transaction, and a wait until an
   * approval's lock statement waits for it.
   */
  const holdUnit = async (unit: string) => {
    const { id } = await ctx
      .store()
      .db.selectFrom("machines")
      .select("id")
      .where("campaign_id", "=", "spring-week")
      .where("unit_key", "=", unit)
      .executeTakeFirstOrThrow()
    const holder = new pg.Client({ connectionString: ctx.databaseUrl() })
    await holder.connect()
    await holder.query("begin")
    await holder.query("select id from machines where id = $1 for no key update", [id])
    const approvalWaits = () =>
      until("the approval to wait for the unit's machine", async () => {
        // Inside its transaction the holder would see one snapshot of the activity for ever.
        await holder.query("select pg_stat_clear_snapshot()")
        const { rows } = await holder.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock' and query like '%with asked as materialized%'`,
        )
        return rows[0]?.n === 1
      })
    return { holder, approvalWaits }
  }

  /** A unit's count of a phase, written on the campaign's machine at 08:30 (before the approvals at 09:00). */
  const queueCount = async (
    unit: string,
    phase: string,
    options: { status?: "pending" | "moot"; attempts?: number } = {},
  ) => {
    const machine = await campaignMachine()
    const at = "2026-04-13T00:30:00.000Z"
    const [row] = await ctx
      .store()
      .db.insertInto("messages")
      .values({
        campaign_id: "spring-week",
        machine_id: machine.id,
        kind: "event",
        dedupe_key: `spring-week:phase-done:${unit}:${phase}`,
        event: JSON.stringify({ type: "unit.phase-done", phase, unit, at }),
        status: options.status ?? "pending",
        available_at: at,
        attempts: options.attempts ?? 0,
      })
      .returning("id")
      .execute()
    return row?.id
  }

  it("counts a unit's finished phase at the campaign in the approval's own transaction", async () => {
    await started()
    const before = await campaignMachine()
    await finishPlan("county-a")
    // No worker has run: the approval applied the message it sent, and wrote it as done.
    const [message, ...others] = await phaseDone()
    expect(others).toEqual([])
    expect(message).toMatchObject({ dedupe_key: "spring-week:phase-done:county-a:preparation", status: "done" })
    const after = await campaignMachine()
    expect(after).toMatchObject({ version: before.version + 1, phase: "preparation", done: "1" })
    // The journal: the approval, then the campaign's step, naming the message as a worker's would.
    const [approval, fanIn] = await lastRows(2)
    expect(approval).toMatchObject({ actor: "lead", cause: "command", event: "task.approve", unit_key: "county-a" })
    expect(fanIn).toMatchObject({
      actor: "system",
      cause: `message:${message?.id}`,
      event: "unit.phase-done",
      unit_key: null,
    })
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("leaves the message that closes the phase to the workers, who close it", async () => {
    await started()
    await finishPlan("county-a")
    await finishPlan("county-b")
    await finishPlan("town-a1")
    // The third would close the phase and sign the journal: queued, not applied by the command.
    expect((await phaseDone()).map((m) => m.status)).toEqual(["done", "done", "pending"])
    expect(await campaignMachine()).toMatchObject({ phase: "preparation", done: "2" })
    await engine.advance("2026-04-13T10:00:00+08:00")
    expect((await phaseDone()).map((m) => m.status)).toEqual(["done", "done", "done"])
    const machine = await campaignMachine()
    expect(machine.phase).not.toBe("preparation")
    expect(machine.done).toBe("3")
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("applies first the counts queued on the machine while another transaction held it", async () => {
    await started()
    const machine = await campaignMachine()
    // County B's count, queued (another transaction held the machine, say).
    await queueCount("county-b", "preparation")
    await finishPlan("county-a")
    // No worker has run: both counted, county B's first.
    const [queued, sent] = await phaseDone()
    expect([queued?.dedupe_key, queued?.status, sent?.status]).toEqual([
      "spring-week:phase-done:county-b:preparation",
      "done",
      "done",
    ])
    expect((await lastRows(3)).map((row) => row.cause)).toEqual([
      "command",
      `message:${queued?.id}`,
      `message:${sent?.id}`,
    ])
    expect(await campaignMachine()).toMatchObject({ phase: "preparation", done: "2", version: machine.version + 2 })
    // The last count closes the phase: the workers apply it.
    await finishPlan("town-a1")
    await engine.advance("2026-04-13T11:00:00+08:00")
    expect((await campaignMachine()).phase).not.toBe("preparation")
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("passes by a count the workers retry; they apply it after, to the same state", async () => {
    await started()
    // Tried once and failed: the workers retry it (and record its failures); a fan-in passes it by.
    const queued = await queueCount("county-b", "preparation", { attempts: 1 })
    await finishPlan("county-a")
    expect((await phaseDone()).map((m) => [m.id, m.status])).toEqual([
      [queued, "pending"],
      [expect.any(String), "done"],
    ])
    expect((await campaignMachine()).done).toBe("1")
    await engine.advance("2026-04-20T10:00:00+08:00")
    expect((await phaseDone()).map((m) => m.status)).toEqual(["done", "done"])
    expect((await campaignMachine()).done).toBe("2")
    expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
  })

  it("leaves it queued behind a timer due on the campaign's machine", async () => {
    await started()
    const { db } = ctx.store()
    const machine = await campaignMachine()
    // Due at 08:30, the approval at 09:00, no worker has reached it: what it causes comes first.
    const due = "2026-04-13T00:30:00.000Z"
    await db
      .insertInto("timers")
      .values({
        campaign_id: "spring-week",
        machine_id: machine.id,
        key: "test:deadline",
        due_at: due,
        event: JSON.stringify({ type: "phase.deadline", phase: "publicity", at: due }),
        status: "pending",
      })
      .execute()
    await finishPlan("county-a")
    expect((await phaseDone()).map((m) => m.status)).toEqual(["pending"])
    await engine.advance("2026-04-13T10:00:00+08:00")
    const [sent] = await phaseDone()
    expect(sent?.status).toBe("done")
    const rows = await lastRows(2)
    expect(rows.map((row) => row.event)).toEqual(["phase.deadline", "unit.phase-done"])
    expect(rows[1]?.cause).toBe(`message:${sent?.id}`)
    expect((await campaignMachine()).done).toBe("1")
  })

  it("neither sends nor counts again a message sent before under its key", async () => {
    await started()
    const machine = await campaignMachine()
    await queueCount("county-a", "preparation", { status: "moot" })
    await finishPlan("county-a")
    expect((await phaseDone()).map((m) => m.status)).toEqual(["moot"])
    expect(await campaignMachine()).toMatchObject({ version: machine.version, done: "0" })
    expect((await lastRows(1))[0]).toMatchObject({ event: "task.approve" })
  })

  if (ctx.kind === "postgres")
    it("keeps the workers' looks off the counts of a machine a fan-in holds, until it ends", async () => {
      await started()
      await queueCount("county-b", "preparation")
      const { db } = ctx.store()
      const now = new Date("2026-04-13T01:00:00Z")
      expect((await workerLook(db, now)).message_due).toBe(true)
      const command = await db.startTransaction().execute()
      try {
        const locked = await lockFanIn(command, { campaignIds: ["spring-week"], at: now, dedupeKeys: [], count: 0 })
        expect(locked.machines).toHaveLength(1)
        // A claim now would skip the machine's row and take nothing: the look does not send one.
        expect(await workerLook(db, now)).toMatchObject({ message_due: false, timer_due: false })
      } finally {
        await command.rollback().execute()
      }
      expect((await workerLook(db, now)).message_due).toBe(true)
    })

  if (ctx.kind === "postgres")
    it("locks the campaign's machine afresh when it changed while the approval waited for its unit", async () => {
      await started()
      const report = await reported("county-a")
      const machine = await campaignMachine()
      // The unit's machine held: the approval's lock statement begins, then waits for it.
      const { holder, approvalWaits } = await holdUnit("county-a")
      try {
        const lead = await engine.actor("lead")
        const approval = counted(() => engine.run(approve(report.report, lead)))
        await approvalWaits()
        // Meanwhile the campaign's machine changes (a new row version) and that commits first.
        await holder.query("update machines set updated_at = updated_at where id = $1", [machine.id])
        await holder.query("commit")
        const done = await approval
        // What the lock statement read of the campaign's machine is older than the row it
        // locked: the fan-in locks it again in a statement of its own, and counts there.
        expect(done.texts.filter((text) => text.startsWith("with fan_in_locked as"))).toHaveLength(1)
      } finally {
        await holder.end()
      }
      expect((await phaseDone()).map((m) => m.status)).toEqual(["done"])
      expect(await campaignMachine()).toMatchObject({ version: machine.version + 1, done: "1" })
      expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
    })

  if (ctx.kind === "postgres")
    it("keeps a second approval of the campaign for after the batch that counts to it", {
      timeout: 180_000,
    }, async () => {
      await started()
      const lead = await engine.actor("lead")
      const first = await reported("county-a")
      const second = await reported("county-b")
      const db = await engine.run(Effect.service(Db))
      // County A's approval waits for its unit's machine, its batch counting to the campaign.
      const { holder, approvalWaits } = await holdUnit("county-a")
      try {
        const approvedA = engine.run(approve(first.report, lead))
        await approvalWaits()
        // County B's would contend for the campaign's machine beside it: it stays queued, though
        // a runner is free, and goes once the first batch has committed.
        const approvedB = engine.run(approve(second.report, lead))
        await until("the second approval to stay queued", async () => queuedCommands(db.kysely) === 1)
        await holder.query("commit")
        await Promise.all([approvedA, approvedB])
      } finally {
        await holder.end()
      }
      // Both counted by their approvals, in the order they ran; nothing left to the workers.
      expect((await phaseDone()).map((m) => [m.dedupe_key, m.status])).toEqual([
        ["spring-week:phase-done:county-a:preparation", "done"],
        ["spring-week:phase-done:county-b:preparation", "done"],
      ])
      expect((await campaignMachine()).done).toBe("2")
      const approvals = (await lastRows(4)).filter((row) => row.event === "task.approve").map((row) => row.unit_key)
      expect(approvals).toEqual(["county-a", "county-b"])
      expect((await engine.run(verifyCampaign("spring-week", operator))).findings).toEqual([])
    })

  if (ctx.kind === "postgres")
    it("does not wait for a campaign machine another transaction holds: the workers apply it", async () => {
      await started()
      const machine = await campaignMachine()
      const holder = new pg.Client({ connectionString: ctx.databaseUrl() })
      await holder.connect()
      try {
        await holder.query("begin")
        await holder.query("select id from machines where id = $1 for no key update", [machine.id])
        // The approval commits while the campaign's machine stays held.
        await finishPlan("county-a")
        expect((await phaseDone()).map((m) => m.status)).toEqual(["pending"])
        await holder.query("commit")
      } finally {
        await holder.end()
      }
      await engine.advance("2026-04-13T10:00:00+08:00")
      expect((await phaseDone()).map((m) => m.status)).toEqual(["done"])
      expect((await campaignMachine()).done).toBe("1")
    })
})

it("runs again a transaction whose applied message was sent meanwhile under its key", () => {
  const raised = Object.assign(new Error("duplicate key value violates unique constraint"), {
    code: "23505",
    constraint: "messages_dedupe_key_key",
  })
  expect(toStoreError("journal.append")(raised).retryable).toBe(true)
  const other = Object.assign(new Error("duplicate key"), { code: "23505", constraint: "reports_pkey" })
  expect(toStoreError("journal.append")(other).retryable).toBe(false)
})
