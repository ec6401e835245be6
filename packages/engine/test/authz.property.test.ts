import type { Campaign } from "@liandong/workflow"
import { hierarchies } from "@liandong/workflow/testing"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Actor } from "../src/Actor.ts"
import { canRead, canSeeCampaign, readableUnits } from "../src/Authz.ts"

// Random hierarchies, some units under an office the campaign does not list, and every kind of actor.
const hierarchy = hierarchies(["outside"], 25)

const actorsOf = (campaign: Campaign): Actor[] => [
  { kind: "operator", id: "operator" },
  { kind: "system", id: "system" },
  { kind: "principal", id: "lead", role: "coordinator", unit: campaign.coordinator },
  { kind: "principal", id: "other-lead", role: "coordinator", unit: "u1" },
  { kind: "principal", id: "auditor", role: "auditor", unit: null },
  { kind: "principal", id: "nobody", role: "unit", unit: null },
  { kind: "principal", id: "outside", role: "unit", unit: "outside" },
  { kind: "principal", id: "stranger", role: "unit", unit: "stranger" },
  ...campaign.units.map((u): Actor => ({ kind: "principal", id: u.key, role: "unit", unit: u.key })),
]

describe("authorization on every command", () => {
  it("reads and sees a campaign exactly as the list of readable units says", () => {
    fc.assert(
      fc.property(hierarchy, (campaign) => {
        for (const actor of actorsOf(campaign)) {
          const readable = readableUnits(actor, campaign)
          const reads = (unit: string) => readable === "all" || readable.has(unit)
          expect(canSeeCampaign(actor, campaign)).toBe(campaign.units.some((u) => reads(u.key)))
          for (const unit of [...campaign.units.map((u) => u.key), "outside", "stranger"])
            expect(canRead(actor, campaign, unit), `${actor.id} reads ${unit}`).toBe(reads(unit))
        }
      }),
    )
  })
})
