/**
 * Membership in a definition's long lists. A national campaign lists 50,000 units in a task and
 * in a phase, and asks about one of them on every event.
 */

// Who takes a task, and who takes part in a phase, as sets built once per (immutable) list.
const memberSets = new WeakMap<ReadonlyArray<string>, ReadonlySet<string>>()

/** Whether `key` is in `list` (a task's units, a phase's participants), without walking the list. */
export const isListed = (list: ReadonlyArray<string>, key: string): boolean => {
  let set = memberSets.get(list)
  if (set === undefined) {
    set = new Set(list)
    memberSets.set(list, set)
  }
  return set.has(key)
}
