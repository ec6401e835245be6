/**
 * Keyset pages for listings: a page holds at most `limit` items and the
 * cursor of the next one, an opaque base64url text of the last item's sort key.
 */
import { Effect } from "effect"
import { InvalidInput } from "../Errors.ts"

/** How a caller asks for a page. */
export interface PageRequest {
  readonly limit?: number | undefined
  readonly cursor?: string | undefined
}

/** A page of items and where the next one starts (null: this is the last). */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly nextCursor: string | null
}

/** The default and largest page sizes. */
export const defaultLimit = 100
export const maxLimit = 500

/** The limit asked for, within bounds. */
export const limitOf = (request: PageRequest): number =>
  Math.min(Math.max(Math.trunc(request.limit ?? defaultLimit), 1), maxLimit)

/** Encodes a sort key as a cursor. */
export const encodeCursor = (key: ReadonlyArray<string | number>): string =>
  Buffer.from(JSON.stringify(key), "utf8").toString("base64url")

/** The failure for a cursor this listing did not hand out. */
export const badCursor = () =>
  Effect.fail(
    new InvalidInput({
      problems: [
        { path: "cursor", zh: "游标无效,请使用上一页返回的 nextCursor", en: "not a cursor from this listing" },
      ],
    }),
  )

/** Decodes a cursor into a sort key of `arity` parts, or fails naming the `cursor` field. */
export const decodeCursor = (cursor: string | undefined, arity: number) =>
  Effect.gen(function* () {
    if (cursor === undefined) return undefined
    let key: unknown
    try {
      key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
    } catch {
      key = undefined
    }
    if (
      !Array.isArray(key) ||
      key.length !== arity ||
      !key.every((part) => typeof part === "string" || typeof part === "number")
    ) {
      return yield* new InvalidInput({
        problems: [
          { path: "cursor", zh: "游标无效,请使用上一页返回的 nextCursor", en: "not a cursor from this listing" },
        ],
      })
    }
    return key as ReadonlyArray<string | number>
  })

/** Cuts `limit + 1` fetched rows into a page, the cursor taken from the last item kept. */
export const pageOf = <Row, A>(
  rows: ReadonlyArray<Row>,
  limit: number,
  keyOf: (row: Row) => ReadonlyArray<string | number>,
  map: (row: Row) => A,
): Page<A> => {
  const kept = rows.slice(0, limit)
  const last = kept[kept.length - 1]
  return {
    items: kept.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  }
}
