/**
 * Reading the journal's compact state text (the engine's `stateText`, e.g.
 * `{publicity:open{brochures:assigned,lectures:submitted},summary:waiting}`)
 * back into the machine's state as a tree, so a timeline can say only what
 * changed: `publicity.open.brochures: assigned → acknowledged`.
 */

/** A machine's state: a leaf state's key, or the active child (or parallel regions) by key. */
export type StateTree = string | { readonly [key: string]: StateTree }

/** Parses state text into its tree; text it cannot read is kept whole as one leaf. */
export const parseStateText = (text: string): StateTree => {
  let i = 0
  const key = () => {
    const start = i
    while (i < text.length && !"{},:.".includes(text[i] as string)) i++
    if (i === start) throw new Error("expected a key")
    return text.slice(start, i)
  }
  // `{k:v,…}`: parallel regions (or one child) by key.
  const regions = (): { [key: string]: StateTree } => {
    i++
    const out: { [key: string]: StateTree } = {}
    while (i < text.length && text[i] !== "}") {
      const k = key()
      if (text[i] !== ":") throw new Error("expected :")
      i++
      out[k] = value()
      if (text[i] === ",") i++
    }
    if (text[i] !== "}") throw new Error("expected }")
    i++
    return out
  }
  // A value: `{…}`, a key, or a key followed by `.value` or `{…}` (its child).
  const value = (): StateTree => {
    if (text[i] === "{") return regions()
    const k = key()
    if (text[i] === ".") {
      i++
      return { [k]: value() }
    }
    if (text[i] === "{") return { [k]: regions() }
    return k
  }
  try {
    const tree = value()
    if (i !== text.length) throw new Error("trailing text")
    return tree
  } catch {
    return text
  }
}

/** One region whose state changed; `null` where the region did not exist before or after. */
export interface StateChange {
  readonly path: ReadonlyArray<string>
  readonly from: StateTree | null
  readonly to: StateTree | null
}

const sameKeys = (a: object, b: object) => {
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => k in b)
}

const equal = (a: StateTree, b: StateTree): boolean =>
  typeof a === "string" || typeof b === "string"
    ? a === b
    : sameKeys(a, b) && Object.keys(a).every((k) => equal(a[k] as StateTree, b[k] as StateTree))

const diff = (path: string[], a: StateTree | null, b: StateTree | null): StateChange[] => {
  if (a !== null && b !== null && equal(a, b)) return []
  // The same regions (or the same child) on both sides: look inside; otherwise this region changed.
  if (a !== null && b !== null && typeof a !== "string" && typeof b !== "string" && sameKeys(a, b)) {
    return Object.keys(a).flatMap((k) => diff([...path, k], a[k] as StateTree, b[k] as StateTree))
  }
  return [{ path, from: a, to: b }]
}

/**
 * The regions whose state differs between two state texts, outermost first:
 * a phase that opened reads as one change of the phase,
 * `publicity: waiting → open{brochures:assigned}`, not as one per task.
 */
export const stateChanges = (before: string, after: string): StateChange[] =>
  diff([], before ? parseStateText(before) : null, after ? parseStateText(after) : null)
