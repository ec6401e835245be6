import { startCampaign } from "@liandong/engine/commands"
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
} from "./invariants.ts"
import { runReporters } from "./reporters.ts"
import { chaosUnits, patienceMs, tell } from "./settings.ts"
import { campaignFigures, campaignStatus, chaosDatabase, deployCrowd, queueIdle, queueLeft } from "./setup.ts"
import type { Answer, Plan, Step } from "./steps.ts"

// Duplicates: every command is sent one to five times — from three processes at once, or
// one copy after another — with an idempotency key or without. Each has exactly one effect.
const units = chaosUnits()
const task = crowdTask("publicity")

/** Copies of one command dealt to the reporter processes: some land together, some in turn. */
const copiesOf = (step: Omit<Step, "copies" | "together">, processes: number): Step[][] => {
  const copies = 1 + Math.floor(Math.random() * 5)
  const perProcess = Array.from({ length: processes }, () => 0)
  for (let c = 0; c < copies; c++) {
    const p = Math.floor(Math.random() * processes)
    perProcess[p] = (perProcess[p] ?? 0) + 1
  }
  return perProcess.map((n) => (n === 0 ? [] : [{ ...step, copies: n, together: Math.random() < 0.5 }]))
}

describe.skipIf(!(await postgresAvailable()))("[postgres] commands sent more than once", () => {
  let setup: Awaited<ReturnType<typeof chaosDatabase>>
  beforeAll(async () => {
    setup = await chaosDatabase("duplicates")
    const now = Date.now()
    await deployCrowd(
      setup.engine,
      crowdCampaign("twice-week", units, [
        {
          key: "publicity",
          gate: "all",
          opensAt: new Date(now - 3_600_000).toISOString(),
          deadline: new Date(now + 86_400_000).toISOString(),
          closesAt: new Date(now + 2 * 86_400_000).toISOString(),
        },
      ]),
    )
  })
  afterAll(async () => {
    await setup?.close()
  })

  it(
    "have exactly one effect each, keyed or not",
    async () => {
      const fleet = startFleet(setup.env, 2)
      try {
        const { db } = setup.engine.store
        await setup.engine.run(startCampaign("twice-week", await setup.engine.actor("lead")))
        const open = await eventually(async () => {
          const rows = await db.selectFrom("tasks").select("status").where("status", "=", "assigned").execute()
          return rows.length === units
        }, patienceMs())
        expect(open, fleet.logs()).toBe(true)

        // Three rounds, each command's copies split over three reporter processes.
        const answers: Answer[] = []
        const round = async (step: (i: number, keyed: boolean) => Omit<Step, "copies" | "together">) => {
          const dealt: Step[][] = [[], [], []]
          for (let i = 0; i < units; i++) {
            const parts = copiesOf(step(i, Math.random() < 0.5), 3)
            parts.forEach((part, p) => {
              dealt[p]?.push(...part)
            })
          }
          const plan = (steps: Step[]): Plan => ({
            engine: { databaseUrl: setup.url, keyFile: setup.keyFile },
            concurrency: 8,
            stories: steps.map((s) => [s]),
          })
          answers.push(...(await runReporters(dealt.map(plan))))
        }
        const ref = (i: number) => `twice-week/unit-${i}/${task}`
        await round((i, keyed) => ({
          id: `ack-${i}`,
          command: "ack",
          principal: `clerk-${i}`,
          ref: ref(i),
          ...(keyed ? { key: `ack-${i}` } : {}),
        }))
        await round((i, keyed) => ({
          id: `report-${i}`,
          command: "report",
          principal: `clerk-${i}`,
          ref: ref(i),
          body: { figures: { brochures: String(1000 + i) }, narrative: { narrative: "发放宣传资料" } },
          ...(keyed ? { key: `report-${i}` } : {}),
        }))
        await round((i, keyed) => ({
          id: `approve-${i}`,
          command: "approve",
          principal: "lead",
          ref: ref(i),
          ...(keyed ? { key: `approve-${i}` } : {}),
        }))

        // Exactly one copy of each command took effect; every other copy was answered with the
        // first one's result (same key) or refused because it was already done.
        for (const command of ["ack", "report", "approve"]) {
          const effective = answers.filter((a) => a.step.command === command && a.ok && !a.value.replayed)
          expect(new Set(effective.map((a) => a.id)).size, command).toBe(units)
          expect(effective, command).toHaveLength(units)
        }
        const refusals = answers.filter((a) => !a.ok)
        expect(refusals.filter((a) => a.tag !== "InvalidTransition")).toEqual([])
        expect(refusals.every((a) => a.step.key === undefined)).toBe(true)

        // The campaign finished: every unit approved, the phase closed, the summary written.
        expect(await eventually(async () => (await campaignStatus(db, "twice-week")) === "closed", patienceMs())).toBe(
          true,
        )
        expect(
          await eventually(() => queueIdle(db, "twice-week"), patienceMs()),
          await queueLeft(db, "twice-week"),
        ).toBe(true)
        expect(await fleet.stop()).toEqual([0, 0])
        await expectAcceptedOnce(db, "twice-week", answers)
        await expectMachinesConsistent(db, "twice-week")
        await expectMachinesInTimeOrder(db, "twice-week")
        await expectEveryItemOnce(db, "twice-week")
        // One report per unit, holding the figure it was sent with.
        const figures = await db
          .selectFrom("reports")
          .innerJoin("report_figures", "report_figures.report_id", "reports.id")
          .select(["reports.unit_key", "reports.status", "report_figures.value"])
          .where("reports.campaign_id", "=", "twice-week")
          .execute()
        expect(figures).toHaveLength(units)
        expect(
          figures.filter((f) => f.status !== "approved" || Number(f.value) !== 1000 + Number(f.unit_key.slice(5))),
        ).toEqual([])
        await expectAuditVerifies(setup.env, "twice-week")
        tell("duplicates", {
          units,
          copiesSent: answers.length,
          tookEffect: answers.filter((a) => a.ok && !a.value.replayed).length,
          replayed: answers.filter((a) => a.ok && a.value.replayed).length,
          refusedAsDone: answers.filter((a) => !a.ok).length,
          ...(await campaignFigures(db, "twice-week")),
        })
      } finally {
        await fleet.stop()
      }
    },
    patienceMs() + 300_000,
  )
})
