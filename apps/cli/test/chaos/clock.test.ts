import { startCampaign } from "@liandong/engine/commands"
import { Clock } from "@liandong/engine/runtime"
import { postgresAvailable } from "@liandong/store/testing"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { crowdCampaign } from "../crowd.ts"
import { startCalendars } from "./calendars.ts"
import { openEngine } from "./engine.ts"
import {
  expectAcceptedOnce,
  expectAuditVerifies,
  expectEveryItemOnce,
  expectMachinesConsistent,
  expectMachinesInTimeOrder,
} from "./invariants.ts"
import { chaosUnits, patienceMs, tell } from "./settings.ts"
import { campaignFigures, campaignStatus, chaosDatabase, deployCrowd } from "./setup.ts"
import { type Answer, type Step, sendStep } from "./steps.ts"

// Clock: a whole campaign on a simulated calendar that jumps forward at random — once over
// a whole stretch holding two reminders, a deadline, a phase's close and the next phase's
// opening — with two worker processes moving together and units acting in between. Every
// timer fires exactly once, at its own time, at the first look after it fell due and never
// before; every machine's events stay in time order.
const units = chaosUnits()
const phases = [
  { key: "preparation", day: 5 },
  { key: "publicity", day: 12 },
  { key: "enforcement", day: 19 },
] as const
const at = (text: string) => new Date(text).getTime()
const start = at("2026-04-01T12:00:00+08:00")
const end = at("2026-04-28T12:00:00+08:00")
// From before the publicity phase's first reminder (04-15 18:00) to after its close
// (04-19 00:00), which is also when the enforcement phase opens.
const leap = [at("2026-04-15T12:00:00+08:00"), at("2026-04-19T12:00:00+08:00")] as const

/** The calendar: random instants between start and end, none inside the leap, the leap's ends included. */
const calendar = (): number[] => {
  const instants = new Set<number>([leap[0], leap[1], end])
  while (instants.size < 14) {
    const t = Math.round(start + Math.random() * (end - start))
    if (t <= leap[0] || t >= leap[1]) instants.add(t)
  }
  return [...instants].sort((a, b) => a - b)
}

describe.skipIf(!(await postgresAvailable()))("[postgres] a campaign on a simulated calendar", () => {
  let setup: Awaited<ReturnType<typeof chaosDatabase>>
  beforeAll(async () => {
    setup = await chaosDatabase("clock")
    await deployCrowd(setup.engine, crowdCampaign("clock-week", units, phases))
  })
  afterAll(async () => {
    await setup?.close()
  })

  it(
    "fires every timer once, in order, at the first look after it is due and never before",
    async () => {
      // The units act through an engine on the same simulated calendar.
      const engine = await openEngine({
        databaseUrl: setup.url,
        keyFile: setup.keyFile,
        now: new Date(start).toISOString(),
      })
      const { db } = engine.store
      const setClock = (t: number) => engine.run(Effect.flatMap(Effect.service(Clock), (c) => c.set(new Date(t))))
      await engine.run(startCampaign("clock-week", await engine.actor("lead")))
      const calendars = startCalendars(setup.url, setup.keyFile, 2)
      const instants = calendar()
      const answers: Answer[] = []
      try {
        for (const t of instants) {
          // Units act at this moment: some acknowledge, report, or get approved.
          await setClock(t)
          const open = await db
            .selectFrom("tasks")
            .select(["unit_key", "task_key", "status"])
            .where("status", "in", ["assigned", "acknowledged", "submitted"])
            .execute()
          for (const task of open.filter(() => Math.random() < 0.3)) {
            const ref = `clock-week/${task.unit_key}/${task.task_key}`
            const clerk = `clerk-${task.unit_key.slice(5)}`
            const step: Step =
              task.status === "assigned"
                ? { id: `ack-${ref}`, command: "ack", principal: clerk, ref }
                : task.status === "acknowledged"
                  ? {
                      id: `report-${ref}`,
                      command: "report",
                      principal: clerk,
                      ref,
                      key: `report-${ref}`,
                      body: { figures: { brochures: "10" }, narrative: { narrative: "已完成" } },
                    }
                  : { id: `approve-${ref}`, command: "approve", principal: "lead", ref }
            answers.push({ ...(await sendStep(engine, step)), id: step.id, copy: 0, step, answeredAt: Date.now() })
          }
          const tallies = await calendars.advance(new Date(t))
          expect(tallies.every((tally) => tally.failed === 0)).toBe(true)
        }
        expect(await calendars.stop()).toEqual([0, 0])
      } finally {
        await calendars.stop()
      }
      expect(await campaignStatus(db, "clock-week")).toBe("closed")
      expect(answers.filter((a) => a.ok).length).toBeGreaterThan(0)

      await expectEveryItemOnce(db, "clock-week", { asOf: new Date(end) })
      await expectMachinesConsistent(db, "clock-week")
      await expectMachinesInTimeOrder(db, "clock-week")
      await expectAcceptedOnce(db, "clock-week", answers)

      // Each timer fired at its own time, when first looked at after it fell due: not before,
      // and not at a later look. (A unit acting in between applies what is due on it first.)
      const firstLook = (due: number) => instants.find((t) => t >= due) ?? Number.POSITIVE_INFINITY
      const fired = new Map(
        (
          await db
            .selectFrom("journal")
            .select(["cause", "occurred_at"])
            .where("cause", "like", "timer:%")
            .where("event", "<>", "queue.dead")
            .execute()
        ).map((row) => [row.cause, new Date(row.occurred_at).getTime()]),
      )
      const timers = await db.selectFrom("timers").select(["id", "key", "status", "due_at", "done_at"]).execute()
      const wrong = timers.filter((timer) => {
        const due = new Date(timer.due_at).getTime()
        if (timer.status !== "done") return false
        const done = new Date(timer.done_at as Date).getTime()
        return fired.get(`timer:${timer.id}`) !== due || done < due || done > firstLook(due)
      })
      expect(wrong).toEqual([])
      // The leap: everything due inside it fired at its end, in due order per machine (above).
      const leapt = timers.filter((t) => {
        const due = new Date(t.due_at).getTime()
        return due > leap[0] && due <= leap[1]
      })
      expect(new Set(leapt.map((t) => t.key.split(":")[0]))).toEqual(new Set(["remind", "deadline", "open", "close"]))
      expect(leapt.filter((t) => t.status === "done" && new Date(t.done_at as Date).getTime() !== leap[1])).toEqual([])

      // Every deadline fired, unless its task was approved before it; overdue exactly when the
      // report came at or after it.
      const tasks = await db
        .selectFrom("tasks")
        .select(["unit_key", "task_key", "deadline", "overdue", "approved_at"])
        .execute()
      const submits = await db
        .selectFrom("journal")
        .select(["unit_key", "payload", "occurred_at"])
        .where("event", "=", "task.submit")
        .execute()
      const submitted = new Map(
        submits.map((s) => [
          `${s.unit_key}/${(s.payload as { task: string }).task}`,
          new Date(s.occurred_at).getTime(),
        ]),
      )
      const deadlines = await db
        .selectFrom("timers")
        .innerJoin("machines", "machines.id", "timers.machine_id")
        .select(["machines.unit_key", "timers.key", "timers.status"])
        .where("timers.key", "like", "deadline:%")
        .execute()
      expect(deadlines).toHaveLength(units * phases.length)
      for (const task of tasks) {
        const deadline = deadlines.find((d) => d.unit_key === task.unit_key && d.key === `deadline:${task.task_key}`)
        const due = new Date(task.deadline).getTime()
        const approvedEarly = task.approved_at !== null && new Date(task.approved_at).getTime() < due
        expect(deadline?.status, `${task.unit_key}/${task.task_key}`).toBe(approvedEarly ? "cancelled" : "done")
        const report = submitted.get(`${task.unit_key}/${task.task_key}`)
        expect(task.overdue, `${task.unit_key}/${task.task_key}`).toBe(report === undefined || report >= due)
      }
      await expectAuditVerifies(setup.env, "clock-week")
      tell("clock", {
        units,
        instants: instants.length,
        commandsAccepted: answers.filter((a) => a.ok).length,
        dueInsideTheJump: leapt.length,
        ...(await campaignFigures(db, "clock-week")),
      })
      await engine.close()
    },
    patienceMs() + 300_000,
  )
})
