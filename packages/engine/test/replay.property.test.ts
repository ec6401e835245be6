import { describeEachDatabase } from "@liandong/store/testing"
import fc from "fast-check"
import { afterEach, beforeEach, expect, it } from "vitest"
import {
  acknowledge,
  approve,
  operator,
  returnReport,
  startCampaign,
  submitReport,
  verifyCampaign,
} from "../src/index.ts"
import { deployFixture, testEngine } from "./support.ts"

const units = [
  ["county-a", "clerk-a"],
  ["county-b", "clerk-b"],
  ["town-a1", "clerk-a1"],
] as const
const command = fc.record({
  kind: fc.constantFrom("ack", "report", "approve", "return", "advance"),
  unit: fc.constantFrom(0, 1, 2),
  task: fc.constantFrom("plan", "brochures"),
  day: fc.integer({ min: 13, max: 27 }),
})

// Whatever people do, right or wrong, in whatever order: the journal replays to the stored state.
describeEachDatabase("replay equals the stored snapshots", (ctx) => {
  let engine: ReturnType<typeof testEngine>
  beforeEach(() => {
    engine = testEngine(ctx.store())
  })
  afterEach(() => engine.dispose())

  it("for random sequences of commands and calendar moves", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 40 }), async (commands) => {
        const { resetStore } = await import("@liandong/store/testing")
        await resetStore(ctx.store())
        await deployFixture(engine)
        await engine.setClock("2026-04-12T09:00:00+08:00")
        const lead = await engine.actor("lead")
        await engine.run(startCampaign("spring-week", lead))
        let day = 13
        for (const c of commands) {
          const [unit, clerk] = units[c.unit] as readonly [string, string]
          const ref = `spring-week/${unit}/${c.task}`
          const actor = await engine.actor(clerk)
          if (c.kind === "advance") {
            day = Math.max(day, c.day)
            await engine.advance(`2026-04-${day}T12:00:00+08:00`)
          } else if (c.kind === "ack") await engine.exit(acknowledge(ref, actor))
          else if (c.kind === "report") {
            await engine.exit(
              submitReport(
                ref,
                {
                  figures: c.task === "brochures" ? { brochures: "10", people: "2" } : {},
                  narrative: { narrative: "完成" },
                },
                actor,
              ),
            )
          } else if (c.kind === "approve") await engine.exit(approve(ref, lead))
          else await engine.exit(returnReport(ref, "请核实", lead))
        }
        const verdict = await engine.run(verifyCampaign("spring-week", operator))
        expect(verdict.findings).toEqual([])
      }),
      { numRuns: 8 },
    )
  }, 120_000)
})
