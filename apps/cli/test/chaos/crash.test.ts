import { postgresAvailable } from "@liandong/store/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { liandong } from "../cli.ts"
import { crowdCampaign, crowdTask } from "../crowd.ts"
import { eventually, startFleet } from "./fleet.ts"
import {
  expectAcceptedOnce,
  expectAuditVerifies,
  expectEveryItemOnce,
  expectMachinesConsistent,
  expectMachinesInTimeOrder,
} from "./invariants.ts"
import { dealStories, runReporters } from "./reporters.ts"
import { chaosKills, chaosUnits, patienceMs, tell } from "./settings.ts"
import { campaignFigures, campaignStatus, chaosDatabase, deployCrowd, queueIdle, queueLeft } from "./setup.ts"
import type { Answer, Plan, Step } from "./steps.ts"

// Crash test: while units acknowledge, report and get approved from reporter processes, the
// workers are killed with SIGKILL at random instants and replaced. Each phase closes only when
// every unit's task is approved, so the campaign ends only if nothing was lost; afterwards
// nothing was applied twice and the journal verifies.
const units = chaosUnits()
const kills = chaosKills()
const phases = [
  { key: "preparation", day: 5 },
  { key: "publicity", day: 12 },
  { key: "enforcement", day: 19 },
] as const
const campaign = crowdCampaign(
  "chaos-week",
  units,
  phases.map((p) => ({ ...p, gate: "all" as const })),
)

describe.skipIf(!(await postgresAvailable()))("[postgres] workers killed at random instants", () => {
  let setup: Awaited<ReturnType<typeof chaosDatabase>>
  beforeAll(async () => {
    setup = await chaosDatabase("crash")
    await deployCrowd(setup.engine, campaign)
  })
  afterAll(async () => {
    await setup?.close()
  })

  it(
    "lose nothing, apply nothing twice, fire every timer once",
    async () => {
      // The workers' clock stands after the campaign: every timer is due as soon as it exists.
      const fleet = startFleet({ ...setup.env, LIANDONG_NOW: "2026-05-01T00:00+08:00" }, 2)
      const started = await liandong(["start", "chaos-week", "--now", "2026-04-01T09:00+08:00"], setup.env)
      expect(started.code, started.stderr).toBe(0)
      // Two reporter processes; each step waits (retrying) until the unit's phase is open.
      // Even units report two days into the phase, odd units the day after the deadline,
      // when their reminders and deadline are due — the command applies them first if no
      // worker has yet.
      const until = Date.now() + patienceMs()
      const stories = phases.flatMap(({ key, day }) =>
        Array.from({ length: units }, (_, i): Step[] => {
          const ref = `chaos-week/unit-${i}/${crowdTask(key)}`
          const now = `2026-04-${String(day + (i % 2 === 0 ? 2 : 6)).padStart(2, "0")}T10:00:00+08:00`
          const body = { figures: { brochures: String(100 + i) }, narrative: { narrative: "已完成" } }
          const step = { ref, now, retryUntil: until }
          return [
            { ...step, id: `${key}-ack-${i}`, command: "ack", principal: `clerk-${i}` },
            {
              ...step,
              id: `${key}-report-${i}`,
              command: "report",
              principal: `clerk-${i}`,
              body,
              key: `r-${key}-${i}`,
            },
            { ...step, id: `${key}-approve-${i}`, command: "approve", principal: "lead", key: `a-${key}-${i}` },
          ]
        }),
      )
      const plans = dealStories(stories, 2).map(
        (part): Plan => ({ engine: { databaseUrl: setup.url, keyFile: setup.keyFile }, concurrency: 8, stories: part }),
      )
      const reporting = runReporters(plans)
      const { db } = setup.engine.store
      let killed = 0
      let answers: Answer[] = []
      try {
        while ((await campaignStatus(db, "chaos-week")) !== "closed" && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 250))
          if (killed < kills && fleet.killOne()) killed++
        }
        expect(await campaignStatus(db, "chaos-week"), fleet.logs()).toBe("closed")
        expect(killed).toBeGreaterThan(0)
        answers = await reporting
        // Once the workers have gone idle, the survivors stop cleanly.
        const maySeeAll = new Date("2026-05-01T00:00+08:00")
        expect(
          await eventually(() => queueIdle(db, "chaos-week", maySeeAll), patienceMs()),
          await queueLeft(db, "chaos-week"),
        ).toBe(true)
        expect(await fleet.stop()).toEqual([0, 0])

        await expectEveryItemOnce(db, "chaos-week", { asOf: new Date("2026-05-01T00:00+08:00") })
        await expectMachinesConsistent(db, "chaos-week")
        await expectMachinesInTimeOrder(db, "chaos-week")
        await expectAcceptedOnce(db, "chaos-week", answers)
        expect(answers.filter((a) => a.ok)).toHaveLength(units * phases.length * 3)
        // Every task approved; overdue exactly when its report came at or after the deadline.
        const submits = await db
          .selectFrom("journal")
          .select(["unit_key", "payload", "occurred_at"])
          .where("campaign_id", "=", "chaos-week")
          .where("event", "=", "task.submit")
          .execute()
        const submitted = new Map(
          submits.map((s) => [`${s.unit_key}/${(s.payload as { task: string }).task}`, new Date(s.occurred_at)]),
        )
        const tasks = await db
          .selectFrom("tasks")
          .select(["unit_key", "task_key", "status", "overdue", "deadline", "reminded"])
          .where("campaign_id", "=", "chaos-week")
          .execute()
        expect(tasks).toHaveLength(units * phases.length)
        const wrong = tasks.filter((t) => {
          const at = submitted.get(`${t.unit_key}/${t.task_key}`)
          return (
            t.status !== "approved" ||
            at === undefined ||
            t.overdue !== at.getTime() >= new Date(t.deadline).getTime() ||
            t.reminded > 2
          )
        })
        expect(wrong).toEqual([])
      } finally {
        await fleet.stop()
        await reporting.catch(() => undefined)
      }
      // Every stored snapshot equals the replay of its journal, and the chain verifies.
      await expectAuditVerifies(setup.env, "chaos-week")
      tell("crash", {
        units,
        workersKilled: killed,
        commandsAccepted: answers.filter((a) => a.ok).length,
        attemptsRefused: answers.filter((a) => !a.ok).length,
        ...(await campaignFigures(db, "chaos-week")),
      })
    },
    patienceMs() + 300_000,
  )
})
