import { normalizeCampaign } from "@liandong/workflow"
import { describe, expect, it } from "vitest"
import { nationalCampaign } from "../src/Campaign.ts"
import { generateNation, nationalKey, provinces } from "../src/Nation.ts"
import { mix, phaseScript } from "../src/Script.ts"

describe("the national hierarchy", () => {
  it("has exactly the units asked for: the nation, 31 provinces, their cities and counties, and member units", () => {
    for (const size of [32, 500, 2000, 12_345]) {
      const units = generateNation(size, 7)
      expect(units).toHaveLength(size)
      expect(new Set(units.map((u) => u.key)).size).toBe(size)
      expect(units.filter((u) => u.level === "national" && u.role === "host").map((u) => u.key)).toEqual([nationalKey])
      expect(units.filter((u) => u.level === "province" && u.role === "subordinate")).toHaveLength(provinces.length)
    }
    const levels = new Set(generateNation(2000, 7).map((u) => `${u.level}/${u.role}`))
    expect([...levels].sort()).toEqual([
      "city/member",
      "city/subordinate",
      "county/member",
      "county/subordinate",
      "national/host",
      "national/member",
      "province/member",
      "province/subordinate",
    ])
  })

  it("hangs every unit under a unit one level up, or its own bureau for a member unit", () => {
    const units = generateNation(2000, 3)
    const byKey = new Map(units.map((u) => [u.key, u]))
    const above = { national: undefined, province: "national", city: "province", county: "city" } as const
    for (const unit of units) {
      if (unit.key === nationalKey) continue
      const parent = byKey.get(unit.parent as string)
      expect(parent, unit.key).toBeDefined()
      if (unit.role === "member") expect([parent?.level, parent?.role === "member"]).toEqual([unit.level, false])
      else expect(parent?.level).toBe(above[unit.level])
      // parents come before their children, as the directory needs
      expect(units.indexOf(parent as never)).toBeLessThan(units.indexOf(unit))
    }
  })

  it("is the same for the same seed and differs for another", () => {
    expect(generateNation(3000, 11)).toEqual(generateNation(3000, 11))
    expect(generateNation(3000, 11)).not.toEqual(generateNation(3000, 12))
  })

  it("makes a campaign the definition language accepts, every unit but the coordinator taking part", () => {
    const campaign = normalizeCampaign(nationalCampaign(800, 5))
    expect(campaign.phases.map((p) => p.key)).toEqual(["preparation", "publicity", "enforcement", "summary"])
    for (const phase of campaign.phases) expect(phase.participants).toHaveLength(799)
  })
})

describe("the script of a phase", () => {
  const campaign = normalizeCampaign(nationalCampaign(2000, 5))
  const script = phaseScript(campaign, "publicity", 5)
  const phase = campaign.phases[1] as (typeof campaign.phases)[number]
  const deadline = Date.parse(phase.tasks[0]?.deadline as string)

  it("is the same for the same seed", () => {
    expect(phaseScript(campaign, "publicity", 5)).toEqual(script)
    expect(phaseScript(campaign, "publicity", 6)).not.toEqual(script)
  })

  it("has every unit acknowledge, most report in the last hours, some late, some never, some returned", () => {
    const units = phase.participants.length
    const acks = script.filter((a) => a.kind === "ack")
    expect(acks).toHaveLength(units)
    const firstReports = new Map<string, number>()
    for (const a of script) if (a.kind === "report" && !firstReports.has(a.unit)) firstReports.set(a.unit, a.at)
    const reported = [...firstReports.values()]
    const burst = reported.filter((at) => at < deadline && at >= deadline - 8 * 3_600_000).length / units
    const late = reported.filter((at) => at > deadline).length / units
    const silent = 1 - reported.length / units
    const returned = script.filter((a) => a.kind === "return").length / units
    expect(burst).toBeGreaterThan(mix.burst - 0.05)
    expect(late).toBeGreaterThan(mix.late / 2)
    expect(silent).toBeGreaterThan(mix.silent / 2)
    expect(returned).toBeGreaterThan(mix.returned / 2)
  })

  it("keeps each unit's actions in order, an hour apart, inside the phase", () => {
    const last = new Map<string, number>()
    for (const a of script) {
      const before = last.get(a.unit)
      if (before !== undefined) expect(a.at - before).toBeGreaterThanOrEqual(3_600_000)
      last.set(a.unit, a.at)
      expect(a.at).toBeGreaterThan(Date.parse(phase.opensAt))
      expect(a.at).toBeLessThan(Date.parse(phase.closesAt))
    }
  })
})
