import { deploy, startCampaign } from "@liandong/engine/commands"
import { operator } from "@liandong/engine/runtime"
import { postgresAvailable } from "@liandong/store/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { crowdCampaign, crowdTask } from "../crowd.ts"
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
import { chaosUnits, loadSlack, patienceMs, tell } from "./settings.ts"
import { campaignFigures, campaignStatus, chaosDatabase, deployCrowd, queueLeft, workersListening } from "./setup.ts"
import type { Plan, Step } from "./steps.ts"

// Poison under load: three worker processes on the real clock run a campaign while units
// report from two reporter processes; a few queue items fail every time they are tried (an
// event without a time, a message addressed to no machine). Each is retried with growing
// backoff, then parked dead with a journal row giving the reason; everything else flows.
const units = chaosUnits()
const task = crowdTask("publicity")
const poisoned = ["unit-1", "unit-2"]

describe.skipIf(!(await postgresAvailable()))("[postgres] poison items among the rest", () => {
  let setup: Awaited<ReturnType<typeof chaosDatabase>>
  beforeAll(async () => {
    setup = await chaosDatabase("poison")
  })
  afterAll(async () => {
    await setup?.close()
  })

  it(
    "are retried with backoff, then parked dead on the record, while the rest keeps flowing",
    async () => {
      // On a busy machine the reporter processes take longer to start: the windows stretch with the load,
      // or every report would come after the phase had closed.
      const slack = loadSlack()
      const campaign = (deadline: number) =>
        crowdCampaign("poison-week", units, [
          {
            key: "publicity",
            opensAt: new Date(Date.now() - 3_600_000).toISOString(),
            deadline: new Date(deadline).toISOString(),
            closesAt: new Date(deadline + 3_000 * slack).toISOString(),
          },
        ])
      // Registered and the workers up first; then redeployed (not started yet) with the
      // deadline a few seconds ahead.
      await deployCrowd(setup.engine, campaign(Date.now() + 86_400_000))
      const { db } = setup.engine.store
      const fleet = startFleet(setup.env, 3)
      expect(await workersListening(db, setup.url, 3), fleet.logs()).toBe(true)
      const deadline = Math.floor((Date.now() + (8_000 + units * 5) * slack) / 1000) * 1000
      await setup.engine.run(deploy(campaign(deadline), operator))
      try {
        await setup.engine.run(startCampaign("poison-week", await setup.engine.actor("lead")))
        // The poison: reminders with no time for two units, a timer with none for a third,
        // and a message to no machine at all.
        const machines = await db
          .selectFrom("machines")
          .select(["id", "unit_key"])
          .where("unit_key", "in", [...poisoned, "unit-3"])
          .execute()
        const machineOf = (unit: string) => machines.find((m) => m.unit_key === unit)?.id as string
        const flowMachines = await db
          .selectFrom("machines")
          .select(["id", "unit_key"])
          .where(
            "unit_key",
            "in",
            [4, 5, 6, 7, 8, 9].map((i) => `unit-${i}`),
          )
          .execute()
        const now = new Date()
        const messages = await db
          .insertInto("messages")
          .values([
            ...poisoned.map((unit) => ({
              campaign_id: "poison-week",
              machine_id: machineOf(unit),
              kind: "event" as const,
              dedupe_key: `poison:${unit}`,
              event: JSON.stringify({ type: "task.remind", task }),
              status: "pending" as const,
              available_at: now,
            })),
            {
              campaign_id: "poison-week",
              machine_id: null,
              kind: "event" as const,
              dedupe_key: "poison:nobody",
              event: JSON.stringify({ type: "task.remind", task, at: now.toISOString() }),
              status: "pending" as const,
              available_at: now,
            },
          ])
          .returning("id")
          .execute()
        const timer = await db
          .insertInto("timers")
          .values({
            campaign_id: "poison-week",
            machine_id: machineOf("unit-3"),
            key: "poison",
            due_at: now,
            event: JSON.stringify({ type: "task.remind", task }),
            status: "pending",
          })
          .returning("id")
          .executeTakeFirstOrThrow()
        const poison = [...messages.map((m) => `message:${m.id}`), `timer:${timer.id}`]
        // Work of other units falling due while the poison is retried (its five tries take at
        // least 15 s): reminders 1.5–4 s from now, long before any unit reports. Without them
        // what else fell due in that window would depend on how far the load stretched the
        // deadline.
        const flow = await db
          .insertInto("messages")
          .values(
            [4, 5, 6, 7, 8, 9].map((i) => {
              // Before the first report may come (3 s before the deadline), however fast the commands.
              const due = new Date(Math.min(now.getTime() + 1_500 + (i - 4) * 500, deadline - 3_500))
              return {
                campaign_id: "poison-week",
                machine_id: flowMachines.find((m) => m.unit_key === `unit-${i}`)?.id as string,
                kind: "event" as const,
                dedupe_key: `flow:unit-${i}`,
                event: JSON.stringify({ type: "task.remind", task, at: due.toISOString() }),
                status: "pending" as const,
                available_at: due,
              }
            }),
          )
          .returning("id")
          .execute()

        // Meanwhile every unit acknowledges and reports, around the deadline.
        const until = Date.now() + patienceMs()
        const stories = Array.from({ length: units }, (_, i): Step[] => {
          const ref = `poison-week/unit-${i}/${task}`
          const body = { figures: { brochures: String(i) }, narrative: { narrative: "已完成" } }
          const at = deadline + (i % 4 === 0 ? 1_000 : -3_000)
          return [
            { id: `ack-${i}`, command: "ack", principal: `clerk-${i}`, ref, retryUntil: until },
            { id: `report-${i}`, command: "report", principal: `clerk-${i}`, ref, body, notBefore: at, key: `r-${i}` },
          ]
        })
        // Every story at once: each waits for its own moment.
        const plan = (part: Step[][]): Plan => ({
          engine: { databaseUrl: setup.url, keyFile: setup.keyFile },
          concurrency: Math.min(part.length, 500),
          stories: part,
        })
        const reporting = runReporters(dealStories(stories, 2).map(plan))

        // Watch each poison item's schedule until it is parked.
        const schedules = new Map<string, Array<{ attempts: number; due: number }>>(poison.map((p) => [p, []]))
        const watch = async () => {
          const rows = [
            ...(await db
              .selectFrom("messages")
              .select(["id", "attempts", "status", "available_at as due"])
              .where("dedupe_key", "like", "poison:%")
              .execute()
              .then((r) => r.map((m) => ({ ...m, name: `message:${m.id}` })))),
            ...(await db
              .selectFrom("timers")
              .select(["id", "attempts", "status", "due_at as due"])
              .where("key", "=", "poison")
              .execute()
              .then((r) => r.map((t) => ({ ...t, name: `timer:${t.id}` })))),
          ]
          for (const row of rows) {
            const seen = schedules.get(row.name) ?? []
            if (row.attempts > 0 && seen.at(-1)?.attempts !== row.attempts)
              seen.push({ attempts: row.attempts, due: new Date(row.due).getTime() })
          }
          return rows.every((row) => row.status === "dead")
        }
        // A wait that times out says what was left in the queue and what the workers last logged.
        const why = async () => `${await queueLeft(db, "poison-week")}\n${fleet.logs()}`
        expect(await eventually(watch, patienceMs(), 100), await why()).toBe(true)
        const answers = await reporting
        expect(
          await eventually(async () => (await campaignStatus(db, "poison-week")) === "closed", patienceMs()),
          await why(),
        ).toBe(true)
        // The poisoned units' own later items went through once their poison was parked.
        expect(
          await eventually(async () => {
            const left = await db
              .selectFrom("messages")
              .select("id")
              .where("status", "=", "pending")
              .unionAll(db.selectFrom("timers").select("id").where("status", "=", "pending"))
              .execute()
            return left.length === 0
          }, patienceMs()),
          await why(),
        ).toBe(true)
        expect(await fleet.stop()).toEqual([0, 0, 0])

        // Retried with growing backoff: after its n-th failure an item waits 500 ms × 2^n (1 s,
        // 2 s, 4 s, 8 s) from the moment of the failure, which came no earlier than the time
        // set by the failure before; so between any two schedules seen, the later one is at
        // least its own backoff further out. (A busy test process may miss a short state.)
        for (const [name, seen] of schedules) {
          expect(seen.at(-1)?.attempts, name).toBe(5)
          expect(seen.length, name).toBeGreaterThanOrEqual(2)
          for (let k = 1; k < seen.length; k++) {
            const [before, after] = [seen[k - 1], seen[k]] as [(typeof seen)[number], (typeof seen)[number]]
            expect(after.attempts, name).toBeGreaterThan(before.attempts)
            expect(after.due - before.due, name).toBeGreaterThanOrEqual(500 * 2 ** after.attempts)
          }
        }
        // Parked on the record with its reason.
        const parked = await db
          .selectFrom("journal")
          .select(["cause", "unit_key", "payload", "recorded_at"])
          .where("event", "=", "queue.dead")
          .orderBy("seq")
          .execute()
        expect(parked.map((p) => p.cause).sort()).toEqual([...poison].sort())
        for (const row of parked) {
          const payload = row.payload as { attempts: number; reason: string; zh: string; en: string }
          expect(payload.attempts).toBe(5)
          expect(payload.reason).toMatch(/has no valid time|has no machine/)
          expect(payload.zh).toContain("已停止重试")
        }
        expect(parked.find((p) => p.cause === `message:${messages[2]?.id}`)?.unit_key).toBeNull()
        // The rest kept flowing while the poison failed: other units' items were applied
        // between the first failure and the last parking.
        const firstFailure = Math.min(...[...schedules.values()].map((s) => (s[0]?.due ?? Date.now()) - 1_000))
        const lastParked = Math.max(...parked.map((p) => new Date(p.recorded_at).getTime()))
        const flowing = await db
          .selectFrom("journal")
          .select(["seq", "cause"])
          .where((eb) => eb.or([eb("cause", "like", "timer:%"), eb("cause", "like", "message:%")]))
          .where("event", "<>", "queue.dead")
          .where("unit_key", "not in", [...poisoned, "unit-3"])
          .where("recorded_at", ">", new Date(firstFailure))
          .where("recorded_at", "<", new Date(lastParked))
          .execute()
        expect(flowing.length).toBeGreaterThan(0)
        // The reminders due inside that window among them: applied while the poison still failed.
        const reminded = new Set(flowing.map((row) => row.cause))
        expect(flow.map((m) => `message:${m.id}`).filter((cause) => !reminded.has(cause))).toEqual([])
        // Nothing else was lost or done twice; every accepted command once; the chain verifies.
        await expectEveryItemOnce(db, "poison-week", { deadAllowed: poison })
        await expectMachinesConsistent(db, "poison-week")
        await expectMachinesInTimeOrder(db, "poison-week")
        await expectNoTimerEarly(db, "poison-week")
        await expectAcceptedOnce(db, "poison-week", answers)
        expect(answers.filter((a) => a.ok && a.step.command === "report")).toHaveLength(units)
        // Overdue exactly when the report came at or after the deadline, poisoned units included.
        const submits = await db
          .selectFrom("journal")
          .select(["unit_key", "occurred_at"])
          .where("event", "=", "task.submit")
          .execute()
        const late = new Set(
          submits.filter((r) => new Date(r.occurred_at).getTime() >= deadline).map((r) => r.unit_key),
        )
        const tasks = await db.selectFrom("tasks").select(["unit_key", "overdue", "status"]).execute()
        expect(tasks.filter((t) => t.status !== "closed")).toEqual([])
        expect(tasks.filter((t) => t.overdue !== late.has(t.unit_key))).toEqual([])
        await expectAuditVerifies(setup.env, "poison-week")
        tell("poison", {
          units,
          poisonItems: poison.length,
          slack,
          appliedWhilePoisonFailed: flowing.length,
          ...(await campaignFigures(db, "poison-week")),
        })
      } finally {
        await fleet.stop()
      }
    },
    patienceMs() + 300_000,
  )
})
