/**
 * Loading data for a screen: the value, the failure, and `reload`. A reload
 * keeps showing the previous value until the new one arrives, so live
 * updates do not flicker.
 */
import { type DependencyList, useCallback, useEffect, useRef, useState } from "react"
import { useSession } from "../session/Session.tsx"
import type { Connection } from "./Client.ts"
import { peekJson } from "./Early.ts"
import { type ApiFailure, toFailure } from "./Failure.ts"
import { allPagesOf } from "./Pages.ts"

/** What a screen shows while, and after, it loads. */
export interface Resource<A> {
  readonly data: A | undefined
  readonly failure: ApiFailure | null
  readonly loading: boolean
  readonly reload: () => void
}

/**
 * A value to show before the first load ends: the early answer of an address (api/Reads.ts),
 * as the server sent it. The load that follows decodes the same answer with the contract's
 * Schemas and replaces it (or shows its failure).
 */
export type First<A> = () => Promise<A | undefined> | undefined

/** The early answer of `url` as the value. */
export const earlyValue =
  <A>(url: string): First<A> =>
  () =>
    peekJson(url) as Promise<A | undefined> | undefined

/** The early first page of a listing at `url` as the whole list, when it is the only page. */
export const earlyList =
  <A>(url: string): First<A[]> =>
  () =>
    peekJson(url)?.then((page) => allPagesOf<A>(page))

/**
 * Loads with the session's connection whenever `deps` change. With `first`, the first load
 * shows that value as soon as it is there and starts only once it has been rendered: on a
 * phone the API client's evaluation, which the load starts, would otherwise come first.
 */
export const useResource = <A>(
  load: (api: Connection) => Promise<A>,
  deps: DependencyList,
  first?: First<A>,
): Resource<A> => {
  const { api } = useSession()
  const [data, setData] = useState<A | undefined>(undefined)
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const [loading, setLoading] = useState(true)
  const [round, setRound] = useState(0)
  // The load a first value is shown for, started by the effect after that render.
  const [confirm, setConfirm] = useState<number | null>(null)
  const latest = useRef(0)
  const firstTaken = useRef(false)
  const start = useCallback(
    (mine: number) =>
      load(api).then(
        (value) => {
          if (mine !== latest.current) return
          setData(value)
          setFailure(null)
          setLoading(false)
        },
        (cause: unknown) => {
          if (mine !== latest.current) return
          setFailure(toFailure(cause))
          setLoading(false)
        },
      ),
    // `load` is the screen's closure over `deps`, which the effects below list.
    [api, ...deps],
  )
  useEffect(() => {
    const mine = ++latest.current
    setLoading(true)
    const early = firstTaken.current ? undefined : first?.()
    firstTaken.current = true
    if (early === undefined) {
      void start(mine)
      return
    }
    early.then(
      (value) => {
        if (mine !== latest.current) return
        if (value === undefined) return void start(mine)
        setData(value)
        setFailure(null)
        setConfirm(mine)
      },
      () => void start(mine),
    )
  }, [api, round, ...deps])
  useEffect(() => {
    if (confirm !== null && confirm === latest.current) void start(confirm)
  }, [confirm])
  const reload = useCallback(() => setRound((r) => r + 1), [])
  return { data, failure, loading, reload }
}
