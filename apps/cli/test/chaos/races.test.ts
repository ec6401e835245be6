import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { acknowledge, deploy, startCampaign } from "@liandong/engine/commands"
import { operator, provisionSigningKey } from "@liandong/engine/runtime"
import { runUntilIdle } from "@liandong/engine/worker"
import { migrateToLatest, openStore, type Store } from "@liandong/store"
import { createTestDatabase, postgresAvailable } from "@liandong/store/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { crowdCampaign, crowdPrincipals, crowdTask } from "../crowd.ts"
import { addPrincipals, type Engine, openEngine } from "./engine.ts"
import { eventually, startFleet } from "./fleet.ts"
import {
  expectAcceptedOnce,
  expectAuditVerifies,
  expectEveryItemOnce,
  expectMachinesConsistent,
  expectMachinesInTimeOrder,
  expectNoTimerEarly,
} from "./invariants.ts"
import { dealStories, runReporters } from "./reporters.ts"
import { loadSlack, patienceMs, raceUnits, tell } from "./settings.ts"
import { campaignFigures, deployCrowd, queueIdle, queueLeft, workersListening } from "./setup.ts"
import type { Plan, Step } from "./steps.ts"

// Races: four worker processes and three reporter processes on many units around one
// deadline, on the real clock. Units acknowledge and report just before or just after the
// deadline while the workers fire it; the coordinator approves some reports meanwhile.
const units = raceUnits()
const task = crowdTask("publicity")
const random = (from: number, to: number) => from + Math.random() * (to - from)

/** What the server counted for a database: deadlocks and rolled-back transactions. */
const databaseStats = async (store: Store, url: string) => {
  const row = await store.db
    .withTables<{ pg_stat_database: { datname: string; deadlocks: string; xact_rollback: string } }>()
    .selectFrom("pg_stat_database")
    .select(["deadlocks", "xact_rollback"])
    .where("datname", "=", new URL(url).pathname.slice(1))
    .executeTakeFirstOrThrow()
  return { deadlocks: Number(row.deadlocks), rollbacks: Number(row.xact_rollback) }
}

/** A transaction the test holds open on its own connection. */
type RivalTransaction = Awaited<ReturnType<ReturnType<Store["db"]["startTransaction"]>["execute"]>>

/** The URL with server settings for its connections (`-c name=value`). */
const withSettings = (url: string, settings: string) => {
  const parsed = new URL(url)
  parsed.searchParams.set("options", settings)
  return parsed.toString()
}

/** True once some connection to the database waits for a lock. */
const someoneWaits = (store: Store, url: string) =>
  eventually(
    async () => {
      const waiting = await store.db
        .withTables<{ pg_stat_activity: { datname: string; wait_event_type: string | null } }>()
        .selectFrom("pg_stat_activity")
        .select("wait_event_type")
        .where("datname", "=", new URL(url).pathname.slice(1))
        .where("wait_event_type", "=", "Lock")
        .execute()
      return waiting.length > 0
    },
    10_000,
    20,
  )

describe.skipIf(!(await postgresAvailable()))("[postgres] races around one deadline", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>
  let engine: Engine
  let env: Record<string, string>
  beforeAll(async () => {
    database = await createTestDatabase()
    const keyFile = provisionSigningKey(join(await mkdtemp(join(tmpdir(), "liandong-races-")), "key.pem")).path
    env = { DATABASE_URL: database.url, LIANDONG_KEY: keyFile }
    engine = await openEngine({ databaseUrl: database.url, keyFile })
    await migrateToLatest(engine.store.db)
  })
  afterAll(async () => {
    await engine?.close()
    await database?.drop()
  })

  it(
    "apply each event once, retry what collides, and advance every unit",
    async () => {
      const phase = (deadline: number, closes: number) =>
        crowdCampaign("race-week", units, [
          {
            key: "publicity",
            opensAt: new Date(Date.now() - 3_600_000).toISOString(),
            deadline: new Date(deadline).toISOString(),
            closesAt: new Date(closes).toISOString(),
            reminders: ["PT1M"],
          },
        ])
      // Everyone registered and the workers up first; then the campaign is redeployed (it has
      // not started) with its deadline a few seconds ahead, time enough to open every task.
      await deployCrowd(engine, phase(Date.now() + 86_400_000, Date.now() + 2 * 86_400_000))
      const fleet = startFleet(env, 4)
      expect(await workersListening(engine.store.db, database.url, 4), fleet.logs()).toBe(true)
      // Windows stretched on a busy machine: every task must open, and be acknowledged, in time.
      const slack = loadSlack()
      const deadline = Math.floor((Date.now() + (8_000 + units * 20) * slack) / 1000) * 1000
      const spread = Math.max(2_000, units * 10) * slack
      const closes = deadline + spread + 1_000
      await engine.run(deploy(phase(deadline, closes), operator))
      try {
        await engine.run(startCampaign("race-week", await engine.actor("lead")))
        const opened = await eventually(async () => {
          const open = await engine.store.db
            .selectFrom("tasks")
            .select((eb) => eb.fn.countAll<string>().as("n"))
            .where("campaign_id", "=", "race-week")
            .where("status", "=", "assigned")
            .executeTakeFirstOrThrow()
          return Number(open.n) === units
        }, patienceMs())
        expect(opened, fleet.logs()).toBe(true)
        // Reports fall around the deadline (from when the reporters are up, if that is later).
        const from = Math.max(Date.now() + 3_000, deadline - spread)
        // Each unit acknowledges (as soon as its task is open) and, nine
        // times in ten, reports somewhere around it; a third of the reports are approved.
        const stories: Step[][] = []
        const approvals: Step[][] = []
        for (let i = 0; i < units; i++) {
          const ref = `race-week/unit-${i}/${task}`
          const principal = `clerk-${i}`
          const ack: Step = { id: `ack-${i}`, command: "ack", principal, ref, retryUntil: closes }
          if (i % 10 === 9) {
            stories.push([ack])
            continue
          }
          const at = Math.round(random(from, deadline + spread))
          const body = { figures: { brochures: String(i) }, narrative: { narrative: "按期报送" } }
          stories.push([
            ack,
            { id: `report-${i}`, command: "report", principal, ref, body, notBefore: at, key: `r-${i}` },
          ])
          if (i % 3 === 0)
            approvals.push([
              {
                id: `approve-${i}`,
                command: "approve",
                principal: "lead",
                ref,
                notBefore: at + 50,
                retryUntil: closes,
              },
            ])
        }
        const plan = (part: Step[][]): Plan => ({
          engine: { databaseUrl: database.url, keyFile: env.LIANDONG_KEY as string },
          // Every story at once: each waits for its own moment.
          concurrency: Math.min(part.length, 500),
          stories: part,
        })
        const answers = await runReporters([...dealStories(stories, 2).map(plan), plan(approvals)])

        const closed = await eventually(async () => {
          const row = await engine.store.db
            .selectFrom("campaigns")
            .select("status")
            .where("id", "=", "race-week")
            .executeTakeFirstOrThrow()
          return row.status === "closed"
        }, patienceMs())
        expect(closed, fleet.logs()).toBe(true)
        // The campaign closes while the last units' phase-close messages may still be in hand.
        expect(
          await eventually(() => queueIdle(engine.store.db, "race-week"), patienceMs()),
          await queueLeft(engine.store.db, "race-week"),
        ).toBe(true)
        expect(await fleet.stop()).toEqual([0, 0, 0, 0])

        const { db } = engine.store
        await expectEveryItemOnce(db, "race-week")
        await expectMachinesConsistent(db, "race-week")
        await expectMachinesInTimeOrder(db, "race-week")
        await expectNoTimerEarly(db, "race-week")
        await expectAcceptedOnce(db, "race-week", answers)
        // Every unit acknowledged.
        expect(
          answers.filter((a) => a.ok && a.step.command === "ack").length,
          JSON.stringify(answers.filter((a) => !a.ok && a.step.command === "ack").slice(0, 3)),
        ).toBe(units)
        // Every unit advanced past the deadline, judged by time whatever the workers' lag:
        // overdue exactly when no report came by the deadline.
        const submits = await db
          .selectFrom("journal")
          .select(["unit_key", "occurred_at"])
          .where("campaign_id", "=", "race-week")
          .where("event", "=", "task.submit")
          .execute()
        const tasks = await db
          .selectFrom("tasks")
          .select(["unit_key", "status", "overdue", "deadline"])
          .where("campaign_id", "=", "race-week")
          .execute()
        expect(tasks).toHaveLength(units)
        const due = new Date(tasks[0]?.deadline ?? 0).getTime()
        const onTime = new Set(submits.filter((s) => new Date(s.occurred_at).getTime() < due).map((s) => s.unit_key))
        expect(tasks.filter((t) => t.overdue === onTime.has(t.unit_key))).toEqual([])
        // The reports did fall on both sides of the deadline.
        expect(onTime.size).toBeGreaterThan(0)
        expect(onTime.size).toBeLessThan(submits.length)
        expect(tasks.every((t) => t.status === "approved" || t.status === "closed")).toBe(true)
        // The lock order leaves nothing to deadlock on.
        expect((await databaseStats(engine.store, database.url)).deadlocks).toBe(0)
        await expectAuditVerifies(env, "race-week")
        tell("races", {
          units,
          slack,
          reportsOnTime: onTime.size,
          reportsLate: submits.length - onTime.size,
          approvals: answers.filter((a) => a.ok && a.step.command === "approve").length,
          refusedAttempts: answers.filter((a) => !a.ok).length,
          deadlocks: 0,
          ...(await campaignFigures(db, "race-week")),
        })
      } finally {
        await fleet.stop()
      }
    },
    patienceMs() + 300_000,
  )

  it("retry a deadlock and a serialization failure instead of reporting them", async () => {
    // The engine's connections run SERIALIZABLE here, so a row changed under a transaction
    // fails it; the test's own connection waits 10 s before looking for deadlocks, so when it
    // closes a cycle the engine's transaction is the one the server aborts.
    const own = await createTestDatabase()
    const keyFile = env.LIANDONG_KEY as string
    const target = await openEngine({
      databaseUrl: withSettings(own.url, "-c default_transaction_isolation=serializable"),
      keyFile,
    })
    const rival = await openStore({ databaseUrl: withSettings(own.url, "-c deadlock_timeout=10s"), poolSize: 3 })
    try {
      await migrateToLatest(rival.db)
      const now = Date.now()
      const campaign = crowdCampaign("retry-week", 2, [
        {
          key: "publicity",
          opensAt: new Date(now - 3_600_000).toISOString(),
          deadline: new Date(now + 3_600_000).toISOString(),
          closesAt: new Date(now + 7_200_000).toISOString(),
        },
      ])
      await target.run(deploy(campaign, operator))
      await addPrincipals(target, crowdPrincipals(2))
      await target.run(startCampaign("retry-week", await target.actor("lead")))
      await target.run(runUntilIdle(new Date()))
      const lockMachine = (tx: RivalTransaction, unit: string) =>
        tx.selectFrom("machines").select("id").where("unit_key", "=", unit).forNoKeyUpdate().execute()

      // A deadlock: the rival holds the journal head, the command locks its machine and waits
      // for the head, the rival then asks for the machine.
      const first = await rival.db.startTransaction().execute()
      await first.selectFrom("campaigns").select("id").where("id", "=", "retry-week").forNoKeyUpdate().execute()
      const ack0 = target.attempt(acknowledge(`retry-week/unit-0/${task}`, await target.actor("clerk-0")))
      expect(await someoneWaits(rival, own.url)).toBe(true)
      const rivalWaits = lockMachine(first, "unit-0")
      // The server aborts the command's transaction; the engine retries it, which waits for the rival.
      await rivalWaits
      await first.rollback().execute()
      expect(await ack0).toMatchObject({ ok: true, value: { status: "acknowledged", replayed: false } })

      // A serialization failure: the command starts while the rival holds its machine; meanwhile
      // the campaign row changes, so locking the journal head fails the first attempt.
      const second = await rival.db.startTransaction().execute()
      await lockMachine(second, "unit-1")
      const ack1 = target.attempt(acknowledge(`retry-week/unit-1/${task}`, await target.actor("clerk-1")))
      expect(await someoneWaits(rival, own.url)).toBe(true)
      await rival.db
        .updateTable("campaigns")
        .set((eb) => ({ status: eb.ref("status") }))
        .where("id", "=", "retry-week")
        .execute()
      await second.rollback().execute()
      expect(await ack1).toMatchObject({ ok: true, value: { status: "acknowledged", replayed: false } })

      await target.close()
      // Both commands applied once; the server saw the deadlock and the aborted attempts.
      const rows = await rival.db
        .selectFrom("journal")
        .select(["unit_key", "event"])
        .where("event", "=", "task.acknowledge")
        .orderBy("seq")
        .execute()
      expect(rows).toEqual([
        { unit_key: "unit-0", event: "task.acknowledge" },
        { unit_key: "unit-1", event: "task.acknowledge" },
      ])
      // Statistics reach the server when a connection ends; give them a moment.
      let stats = await databaseStats(rival, own.url)
      await eventually(async () => {
        stats = await databaseStats(rival, own.url)
        return stats.deadlocks >= 1 && stats.rollbacks >= 4
      }, 5_000)
      // Two rollbacks are the rival's own; the other two are the engine's aborted attempts.
      // At least the forced one: on a loaded machine a retry can meet the rival again and deadlock
      // once more before it succeeds; the journal above shows each command applied once either way.
      expect(stats.deadlocks).toBeGreaterThanOrEqual(1)
      expect(stats.rollbacks).toBeGreaterThanOrEqual(4)
    } finally {
      await target.close().catch(() => undefined)
      await rival.close()
      await own.drop()
    }
  }, 120_000)
})
