/**
 * The units of a campaign, looked up by key and read through `parent`. A national campaign
 * has 50,000 units and every command asks about one of them, so each (immutable) definition's
 * index is built once and every question is answered without walking the list.
 */
import type { Campaign, Unit } from "./Definition.ts"

interface UnitIndex {
  readonly byKey: ReadonlyMap<string, Unit>
  readonly children: ReadonlyMap<string, ReadonlyArray<string>>
}

const indexes = new WeakMap<Campaign, UnitIndex>()

const indexOf = (campaign: Campaign): UnitIndex => {
  let index = indexes.get(campaign)
  if (index === undefined) {
    const byKey = new Map<string, Unit>()
    const children = new Map<string, string[]>()
    for (const unit of campaign.units) {
      byKey.set(unit.key, unit)
      if (unit.parent === null) continue
      const list = children.get(unit.parent)
      if (list === undefined) children.set(unit.parent, [unit.key])
      else list.push(unit.key)
    }
    index = { byKey, children }
    indexes.set(campaign, index)
  }
  return index
}

/** The campaign's unit with this key, if it lists one. */
export const unitOf = (campaign: Campaign, key: string): Unit | undefined => indexOf(campaign).byKey.get(key)

/** The units at and below `root`, `root` included. */
export const unitAndSubordinates = (campaign: Campaign, root: string): ReadonlySet<string> => {
  const { children } = indexOf(campaign)
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

/**
 * Whether `unit` is `root` or below it: the same answer as `unitAndSubordinates(campaign,
 * root).has(unit)`, found by climbing from `unit` (a few steps) instead of listing all below `root`.
 */
export const isAtOrBelow = (campaign: Campaign, unit: string, root: string): boolean => {
  const { byKey } = indexOf(campaign)
  let key: string | null = unit
  // A definition's hierarchy has no cycle (validated); the bound keeps a bad one from looping.
  for (let steps = 0; key !== null && steps <= byKey.size; steps++) {
    if (key === root) return true
    key = byKey.get(key)?.parent ?? null
  }
  return false
}

/** Whether the campaign lists `root` or a unit below it. */
export const listsAtOrBelow = (campaign: Campaign, root: string): boolean => {
  const { byKey, children } = indexOf(campaign)
  return byKey.has(root) || children.has(root)
}

/** The units directly below `unit`. */
export const childUnits = (campaign: Campaign, unit: string): string[] => [
  ...(indexOf(campaign).children.get(unit) ?? []),
]
