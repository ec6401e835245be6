/** Reading every page of a paginated listing. */

/** Follows `nextCursor` until the last page; `max` pages at most, so a runaway listing cannot hang a screen. */
export const allPages = async <A>(
  page: (
    cursor: string | undefined,
  ) => Promise<{ readonly items: ReadonlyArray<A>; readonly nextCursor: string | null }>,
  max = 50,
): Promise<A[]> => {
  const out: A[] = []
  let cursor: string | undefined
  for (let i = 0; i < max; i++) {
    const next = await page(cursor)
    out.push(...next.items)
    if (next.nextCursor === null) break
    cursor = next.nextCursor
  }
  return out
}

/** The query fields of a page request. */
export const pageQuery = (cursor: string | undefined) =>
  cursor === undefined ? { limit: 500 } : { limit: 500, cursor }

/** A listing's page as the whole list when it is the last page; undefined when it is not a page or more follow. */
export const allPagesOf = <A>(page: unknown): A[] | undefined => {
  const value = page as { items?: unknown; nextCursor?: unknown } | undefined
  return Array.isArray(value?.items) && value.nextCursor === null ? (value.items as A[]) : undefined
}
