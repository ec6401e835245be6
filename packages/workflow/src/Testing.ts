/**
 * What property tests of several packages share: random unit hierarchies. For tests only
 * (`@liandong/workflow/testing`); fast-check is a development dependency.
 */
import fc from "fast-check"
import type { Campaign, Unit } from "./Definition.ts"

/**
 * Campaigns of 1 to `maxUnits` units coordinated by `u0`: a unit's parent is an earlier unit,
 * none, or one of `outside`, offices the campaign does not list (a higher office taking no part).
 * Only the units and the coordinator are filled in.
 */
export const hierarchies = (outside: ReadonlyArray<string>, maxUnits = 30): fc.Arbitrary<Campaign> =>
  fc.array(fc.nat(40), { minLength: 1, maxLength: maxUnits }).map((picks) => {
    const units: Unit[] = picks.map((pick, i) => ({
      key: `u${i}`,
      name: `单位${i}`,
      nameEn: null,
      role: "subordinate",
      level: null,
      parent:
        pick % 5 === 0 || i === 0
          ? null
          : pick % 7 === 0 && outside.length > 0
            ? (outside[pick % outside.length] as string)
            : `u${pick % i}`,
    }))
    return { key: "c", units, coordinator: "u0" } as unknown as Campaign
  })
