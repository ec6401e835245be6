/** Path patterns, without React: the entry's first module (Start.ts) matches the opened address too. */

/** Matches a path against a pattern such as `/campaigns/:id`; returns the decoded parameters or null. */
export const matchPath = (pattern: string, path: string): Record<string, string> | null => {
  const want = pattern.split("/").filter(Boolean)
  const have = path.split("/").filter(Boolean)
  if (want.length !== have.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string
    const h = have[i] as string
    if (w.startsWith(":")) params[w.slice(1)] = decodeURIComponent(h)
    else if (w !== h) return null
  }
  return params
}
