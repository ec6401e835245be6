import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type Campaign, isAtOrBelow, isListed, listsAtOrBelow, unitAndSubordinates, unitOf } from "../src/index.ts"
import { hierarchies } from "../src/Testing.ts"

const outside = ["x0", "x1"]
const hierarchy = hierarchies(outside)
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
