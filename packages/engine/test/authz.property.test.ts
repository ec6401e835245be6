import type { Campaign, Unit } from "@liandong/workflow"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Actor } from "../src/Actor.ts"
import { canRead, canSeeCampaign, readableUnits } from "../src/Authz.ts"

// Random hierarchies, some units under an office the campaign does not list, and every kind of actor.
const hierarchy = fc.array(fc.nat(40), { minLength: 1, maxLength: 25 }).map((picks) => {
  const units: Unit[] = picks.map((pick, i) => ({
    key: `u${i}`,
    name: `单位${i}`,
    nameEn: null,
    role: "subordinate",
    level: null,
    parent: pick % 5 === 0 || i === 0 ? null : pick % 7 === 0 ? "outside" : `u${pick % i}`,
  }))
  return { key: "c", units, coordinator: "u0" } as unknown as Campaign
})

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
