import { describe, expect, it } from "vitest"
import {
  type Campaign,
  compile,
  extendDeadline,
  migrateUnitSnapshot,
  normalizeCampaign,
  planChange,
  withdrawUnit,
} from "../src/index.ts"
import { week } from "./fixture.ts"
import { at, drive } from "./machine-helpers.ts"

const before = normalizeCampaign(week)
type Mutable = { -readonly [K in keyof Campaign]: Campaign[K] }

/** The campaign in its publicity phase: preparation closed; county-a reported brochures. */
const running = () => {
  const compiled = compile(before)
  const campaign = drive(compiled.campaignMachine())
  campaign.ok({ type: "campaign.start", by: "lead", at: at("2026-04-12T00:00:00Z") })
  campaign.ok({ type: "phase.due", phase: "preparation", at: at("2026-04-13T00:00:00Z") })
  campaign.ok({ type: "phase.force-close", phase: "preparation", by: "lead", at: at("2026-04-14T00:00:00Z") })
  campaign.ok({ type: "phase.due", phase: "publicity", at: at("2026-04-20T00:00:00Z") })
  const units = new Map<string, unknown>()
  for (const unit of ["county-a", "county-b", "town-a1"]) {
    const machine = drive(compiled.unitMachine(unit))
    machine.ok({ type: "phase.open", phase: "preparation", at: at("2026-04-13T00:00:00Z") })
    machine.ok({ type: "phase.close", phase: "preparation", at: at("2026-04-14T00:00:00Z") })
    if (before.phases[1]?.participants.includes(unit))
      machine.ok({ type: "phase.open", phase: "publicity", at: at("2026-04-20T00:00:00Z") })
    if (unit === "county-a") {
      machine.ok({ type: "task.acknowledge", task: "brochures", by: "a", at: at("2026-04-20T01:00:00Z") })
      machine.ok({ type: "task.submit", task: "brochures", report: "1", by: "a", at: at("2026-04-20T02:00:00Z") })
    }
    units.set(unit, machine.snapshot)
  }
  return { campaign: campaign.snapshot, units, now: at("2026-04-21T00:00:00Z") }
}

const edit = (change: (campaign: Mutable) => void): Campaign => {
  const copy = structuredClone(before) as Mutable
  change(copy)
  return copy
}
const paths = (after: Campaign) => planChange(before, after, running()).refusals.map((r) => r.path)

describe("planning a change to a running campaign", () => {
  it("accepts an extension for one unit of the open phase and says so, moving its timers", () => {
    const plan = planChange(
      before,
      extendDeadline(before, { task: "brochures", units: ["county-b"], deadline: "2026-04-26T10:00:00.000Z" }),
      running(),
    )
    expect(plan.refusals).toEqual([])
    expect(plan.items).toEqual([
      {
        kind: "deadline-moved",
        task: "brochures",
        units: ["county-b"],
        from: "2026-04-26T04:00:00.000Z",
        to: "2026-04-26T10:00:00.000Z",
      },
    ])
    expect(plan.retimed).toEqual([{ unit: "county-b", task: "brochures" }])
  })

  it("refuses what cannot be applied safely, naming the field", () => {
    // A reported figure removed.
    expect(
      paths(
        edit((c) => {
          const [, publicity] = c.phases
          c.phases = [
            c.phases[0] as never,
            { ...publicity, tasks: publicity?.tasks.map((t) => ({ ...t, figures: [] })) } as never,
          ]
        }),
      ),
    ).toContain("phases[1].tasks[0].figures")
    // A closed phase's times moved, and the phases reordered.
    expect(
      paths(
        edit(
          (c) => (c.phases = [{ ...c.phases[0], closesAt: "2026-04-19T20:00:00.000Z" } as never, c.phases[1] as never]),
        ),
      ),
    ).toEqual(["phases[0]"])
    expect(paths(edit((c) => (c.phases = [...c.phases].reverse())))).toEqual(["phases"])
    expect(paths(edit((c) => (c.coordinator = "county-a")))).toContain("coordinator")
    // A unit withdrawn while its report awaits review.
    expect(paths(withdrawUnit(before, { unit: "county-a", phases: ["publicity"] }))).toEqual([
      "phases[1].tasks[0].assign",
      "phases[1].tasks[1].assign",
    ])
    // An extension to a time already passed.
    expect(
      paths(extendDeadline(before, { task: "brochures", units: ["county-b"], deadline: "2026-04-20T10:00:00.000Z" })),
    ).toEqual(["phases[1].tasks[0].deadline"])
  })

  it("keeps a snapshot whose shape does not change, and refuses a task added to the open phase", () => {
    const state = running()
    const snapshot = state.units.get("county-b")
    expect(migrateUnitSnapshot(before, "county-b", snapshot)).toBe(snapshot)
    const grown = edit((c) => {
      c.phases = [
        c.phases[0] as never,
        {
          ...c.phases[1],
          tasks: [
            ...(c.phases[1]?.tasks ?? []),
            {
              ...(c.phases[1]?.tasks[1] as Campaign["phases"][number]["tasks"][number]),
              key: "media",
              units: ["county-b"],
            },
          ],
        } as never,
      ]
    })
    const plan = planChange(before, grown, state)
    expect(plan.refusals.map((r) => r.path)).toEqual(["phases[1].tasks[2]"])
  })
})
