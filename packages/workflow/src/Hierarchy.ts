/** The unit hierarchy of a campaign, read through `parent`. */
import type { Campaign } from "./Definition.ts"

// Each campaign's children index is built once: a national campaign has 50,000 units,
// and authorization asks for a unit's subordinates on every command.
const childrenOf = new WeakMap<Campaign, ReadonlyMap<string, ReadonlyArray<string>>>()

const childIndex = (campaign: Campaign): ReadonlyMap<string, ReadonlyArray<string>> => {
  let children = childrenOf.get(campaign)
  if (children === undefined) {
    const index = new Map<string, string[]>()
    for (const unit of campaign.units) {
      if (unit.parent === null) continue
      const list = index.get(unit.parent)
      if (list === undefined) index.set(unit.parent, [unit.key])
      else list.push(unit.key)
    }
    children = index
    childrenOf.set(campaign, children)
  }
  return children
}

/** The units at and below `root`, `root` included. */
export const unitAndSubordinates = (campaign: Campaign, root: string): ReadonlySet<string> => {
  const children = childIndex(campaign)
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
export const childUnits = (campaign: Campaign, unit: string): string[] => [...(childIndex(campaign).get(unit) ?? [])]
