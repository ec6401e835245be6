/**
 * Who is signed in: the session cookie (shared by every tab, unreadable to script),
 * the CSRF token its writes carry (in memory only, from sign-in or `GET /session`),
 * the API connection and the person. Any 401 ends the session here and says why.
 */
import type { Principal } from "@liandong/api"
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react"
import { type Connection, connect } from "../api/Client.ts"
import { type ApiFailure, isFailure, toFailure } from "../api/Failure.ts"
import { useI18n } from "../i18n/I18n.tsx"

/** The campaign clock as last read from the server: `now` then, at the browser's `at`. */
export interface CampaignClock {
  readonly now: number
  readonly at: number
  readonly simulated: boolean
}

/** The campaign's time now: a simulated clock stands still; a real one runs with the browser's. */
export const campaignNow = (clock: CampaignClock | null): number =>
  clock === null ? Date.now() : clock.simulated ? clock.now : Date.now() + (clock.now - clock.at)

interface SessionValue {
  readonly state: "checking" | "signed-out" | "signed-in"
  readonly principal: Principal | null
  /** the campaign clock (null until read, or when the server has none to tell) */
  readonly clock: CampaignClock | null
  readonly api: Connection
  /** Why the last session ended, when it did not end by signing out. */
  readonly ended: "expired" | null
  readonly signIn: (name: string, password: string, code?: string) => Promise<ApiFailure | null>
  readonly signOut: () => void
  readonly signOutEverywhere: () => void
}

const SessionContext = createContext<SessionValue | null>(null)

const offline: Connection = {
  run: () => Promise.reject(toFailure({ _tag: "HttpClientError", reason: { _tag: "NotSignedIn" } })),
  runUntil: () => Promise.resolve(),
  upload: () => Promise.reject(toFailure({ _tag: "HttpClientError", reason: { _tag: "NotSignedIn" } })),
}

/** Provides the session to the tree. */
export const SessionProvider = ({ children }: { readonly children: ReactNode }) => {
  const { lang } = useI18n()
  const langRef = useRef(lang)
  langRef.current = lang
  const csrf = useRef<string | null>(null)
  const [state, setState] = useState<SessionValue["state"]>("checking")
  const [principal, setPrincipal] = useState<Principal | null>(null)
  const [api, setApi] = useState<Connection>(offline)
  const [ended, setEnded] = useState<"expired" | null>(null)
  const [clock, setClock] = useState<CampaignClock | null>(null)
  const raw = useRef<Promise<Connection> | null>(null)
  const connection = useCallback(() => {
    raw.current ??= connect(
      () => csrf.current,
      () => langRef.current,
    )
    return raw.current
  }, [])

  const end = useCallback((why: "expired" | null) => {
    csrf.current = null
    setPrincipal(null)
    setApi(offline)
    setEnded(why)
    setState("signed-out")
  }, [])

  const enter = useCallback(
    async (person: Principal, token: string | null) => {
      const base = await connection()
      csrf.current = token
      // Every call that answers 401 ends the session: it expired, or was signed out elsewhere.
      const guarded: Connection = {
        run: (call) =>
          base.run(call).catch((failure: unknown) => {
            if (isFailure(failure) && failure.status === 401) end("expired")
            throw failure
          }),
        runUntil: base.runUntil,
        upload: (task, file) =>
          base.upload(task, file).catch((failure: unknown) => {
            if (isFailure(failure) && failure.status === 401) end("expired")
            throw failure
          }),
      }
      // Deadlines count down against the campaign's clock, which LIANDONG_NOW may fix.
      const at = Date.now()
      const serverClock = await base.run((client) => client.directory.clock()).catch(() => null)
      setClock(
        serverClock === null
          ? null
          : { now: Date.parse(serverClock.now), at: (at + Date.now()) / 2, simulated: serverClock.simulated },
      )
      setPrincipal(person)
      setApi(guarded)
      setEnded(null)
      setState("signed-in")
    },
    [connection, end],
  )

  const signIn = useCallback(
    async (name: string, password: string, code?: string): Promise<ApiFailure | null> => {
      try {
        const base = await connection()
        const payload = code === undefined || code === "" ? { name, password } : { name, password, code }
        const session = await base.run((client) => client.account.signIn({ payload }))
        await enter(session.person, session.csrfToken)
        return null
      } catch (failure) {
        return toFailure(failure)
      }
    },
    [connection, enter],
  )

  // A second tab, or a reload: the cookie is already there; ask who it belongs to.
  useEffect(() => {
    void connection()
      .then((base) => base.run((client) => client.people.session()))
      .then(
        (session) => enter(session.person, session.csrfToken),
        () => end(null),
      )
  }, [connection, enter, end])

  const signOut = useCallback(() => {
    void api.run((client) => client.people.signOut()).finally(() => end(null))
  }, [api, end])

  const signOutEverywhere = useCallback(() => {
    void api.run((client) => client.people.signOutEverywhere()).finally(() => end(null))
  }, [api, end])

  const value = useMemo<SessionValue>(
    () => ({ state, principal, clock, api, ended, signIn, signOut, signOutEverywhere }),
    [state, principal, clock, api, ended, signIn, signOut, signOutEverywhere],
  )
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

/** The session. */
export const useSession = (): SessionValue => {
  const value = useContext(SessionContext)
  if (value === null) throw new Error("useSession outside SessionProvider")
  return value
}
