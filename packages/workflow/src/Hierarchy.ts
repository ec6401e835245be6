/** The unit hierarchy of a campaign, read through `parent`. */
import type { Campaign } from "./Definition.ts"

/** The units at and below `root`, `root` included. */
export const unitAndSubordinates = (campaign: Campaign, root: string): ReadonlySet<string> => {
  const children = new Map<string, string[]>()
  for (const unit of campaign.units) {
    if (unit.parent !== null) children.set(unit.parent, [...(children.get(unit.parent) ?? []), unit.key])
  }
  const found = new Set<string>()
  const stack = [root]
  while (stack.length > 0) {
    const key = stack.pop() as string
    if (found.has(key)) continue
    found.add(key)
    stack.push(...(children.get(key) ?? []))
  }
  return found
}

/** The units directly below `unit`. */
export const childUnits = (campaign: Campaign, unit: string): string[] =>
  campaign.units.filter((u) => u.parent === unit).map((u) => u.key)
