/**
 * Loading data for a screen: the value, the failure, and `reload`. A reload
 * keeps showing the previous value until the new one arrives, so live
 * updates do not flicker.
 */
import { type DependencyList, useCallback, useEffect, useRef, useState } from "react"
import { useSession } from "../session/Session.tsx"
import type { Connection } from "./Client.ts"
import { type ApiFailure, toFailure } from "./Failure.ts"

/** What a screen shows while, and after, it loads. */
export interface Resource<A> {
  readonly data: A | undefined
  readonly failure: ApiFailure | null
  readonly loading: boolean
  readonly reload: () => void
}

/** Loads with the session's connection whenever `deps` change. */
export const useResource = <A>(load: (api: Connection) => Promise<A>, deps: DependencyList): Resource<A> => {
  const { api } = useSession()
  const [data, setData] = useState<A | undefined>(undefined)
  const [failure, setFailure] = useState<ApiFailure | null>(null)
  const [loading, setLoading] = useState(true)
  const [round, setRound] = useState(0)
  const latest = useRef(0)
  useEffect(() => {
    const mine = ++latest.current
    setLoading(true)
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
    )
  }, [api, round, ...deps])
  const reload = useCallback(() => setRound((r) => r + 1), [])
  return { data, failure, loading, reload }
}
