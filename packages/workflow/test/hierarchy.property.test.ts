import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  type Campaign,
  isAtOrBelow,
  isListed,
  listsAtOrBelow,
  type Unit,
  unitAndSubordinates,
  unitOf,
} from "../src/index.ts"

// A hierarchy of up to 30 units; a unit's parent is an earlier unit, none, or a unit the
// campaign does not list (a higher office that takes no part).
const outside = ["x0", "x1"]
const hierarchy = fc.array(fc.nat(40), { minLength: 1, maxLength: 30 }).map((picks) => {
  const units: Unit[] = picks.map((pick, i) => ({
    key: `u${i}`,
    name: `单位${i}`,
    nameEn: null,
    role: "subordinate",
    level: null,
    parent: pick % 5 === 0 || i === 0 ? null : pick % 7 === 0 ? (outside[pick % 2] as string) : `u${pick % i}`,
  }))
  return { units, coordinator: "u0" } as unknown as Campaign
})
const keysOf = (campaign: Campaign) => [...campaign.units.map((u) => u.key), ...outside, "nowhere"]

describe("the unit hierarchy's lookups", () => {
  it("answer as the list of a unit's subordinates does", () => {
    fc.assert(
      fc.property(hierarchy, (campaign) => {
        for (const root of keysOf(campaign)) {
          const below = unitAndSubordinates(campaign, root)
          expect(listsAtOrBelow(campaign, root)).toBe(campaign.units.some((u) => below.has(u.key)))
          for (const unit of keysOf(campaign)) expect(isAtOrBelow(campaign, unit, root)).toBe(below.has(unit))
        }
      }),
    )
  })

  it("find a unit by its key and a key in a list", () => {
    fc.assert(
      fc.property(hierarchy, (campaign) => {
        const keys = campaign.units.map((u) => u.key)
        for (const key of keysOf(campaign)) {
          expect(unitOf(campaign, key)).toBe(campaign.units.find((u) => u.key === key))
          expect(isListed(keys, key)).toBe(keys.includes(key))
        }
      }),
    )
  })
})
