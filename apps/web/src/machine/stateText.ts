/**
 * Reading the journal's compact state text (the engine's `stateText`, e.g.
 * `{publicity:open{brochures:assigned,lectures:submitted},summary:waiting}`)
 * back into leaf states, so a timeline can say only what changed:
 * `publicity.open.brochures: assigned → acknowledged`.
 */

/** Leaf states by their dotted region path; a machine at a plain state has the path "". */
export type Leaves = Record<string, string>

/** Parses state text into its leaves; text it cannot read becomes one leaf holding the text. */
export const parseStateText = (text: string): Leaves => {
  let i = 0
  const out: Leaves = {}
  const key = () => {
    const start = i
    while (i < text.length && !"{},:.".includes(text[i] as string)) i++
    return text.slice(start, i)
  }
  // A value: `{k:v,…}`, or a dotted path that may end in `{…}`; `prefix` is where it sits.
  const value = (prefix: string[]) => {
    if (text[i] === "{") {
      i++
      while (i < text.length && text[i] !== "}") {
        const k = key()
        if (text[i] !== ":") throw new Error("expected :")
        i++
        value([...prefix, k])
        if (text[i] === ",") i++
      }
      if (text[i] !== "}") throw new Error("expected }")
      i++
      return
    }
    const parts = [key()]
    while (text[i] === ".") {
      i++
      parts.push(key())
    }
    if (text[i] === "{") {
      value([...prefix, ...parts])
      return
    }
    const leaf = parts.pop() as string
    out[[...prefix, ...parts].join(".")] = leaf
  }
  try {
    value([])
    if (i !== text.length) throw new Error("trailing text")
    return out
  } catch {
    return { "": text }
  }
}

/** One region whose state changed. */
export interface StateChange {
  readonly path: string
  readonly from: string | null
  readonly to: string | null
}

/**
 * The regions whose state differs between two state texts. A region that
 * moved into or out of a nested state reads as one change of that region:
 * `publicity: open.brochures.submitted → done`.
 */
export const stateChanges = (before: string, after: string): StateChange[] => {
  const a = before ? parseStateText(before) : {}
  const b = after ? parseStateText(after) : {}
  const paths = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
  const changes = paths.filter((p) => a[p] !== b[p]).map((p) => ({ path: p, from: a[p] ?? null, to: b[p] ?? null }))
  const inside = (outer: string, inner: string) => outer === "" || inner.startsWith(`${outer}.`)
  const rest = (outer: string, inner: string, leaf: string) =>
    `${outer === "" ? inner : inner.slice(outer.length + 1)}.${leaf}`
  const used = new Set<StateChange>()
  const out: StateChange[] = []
  for (const change of changes) {
    if (used.has(change)) continue
    const nested = changes.filter(
      (other) =>
        other !== change &&
        !used.has(other) &&
        inside(change.path, other.path) &&
        (change.from === null ? other.to === null : change.to === null ? other.from === null : false),
    )
    if (nested.length === 1) {
      const other = nested[0] as StateChange
      used.add(other)
      out.push(
        change.from === null
          ? { path: change.path, from: rest(change.path, other.path, other.from as string), to: change.to }
          : { path: change.path, from: change.from, to: rest(change.path, other.path, other.to as string) },
      )
    } else out.push(change)
  }
  return out
}
